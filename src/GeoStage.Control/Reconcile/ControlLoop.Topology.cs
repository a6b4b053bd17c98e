using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;

namespace GeoStage.Control.Reconcile;

/// <remarks>
/// Every topology change is recorded as a <see cref="PendingOperation"/> before it touches anything and
/// ended when done, so that a daemon killed part-way finishes or undoes it when it starts again
/// (<see cref="ResumeOperationsAsync"/>). One that fails while the daemon lives was undone by the backend.
/// </remarks>
public sealed partial class ControlLoop
{
    /// <summary>Adds a node; the next reconcile starts the workloads its placement selects there.</summary>
    public async Task<NodeModel> AddNodeAsync(string site, string name, string? address, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        var node = TopologyEditor.PlanNode(State.Model, site, name, address, labels);
        var operation = Store.Begin(new PendingOperation { Kind = OperationKinds.NodeAdd, Target = name, Phase = "recorded", Node = node, StartedAt = _time.GetUtcNow() });
        try
        {
            await TestPause.AtAsync("node-add.recorded", cancellationToken).ConfigureAwait(false);
            State = await _backend.AddNodeAsync(State, node, resuming: false, new PhaseRecorder(Store, operation), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Store.End(operation);
            throw;
        }

        Store.Save(operation with { Phase = "built" });
        Emit(EventKind.NodeAdded, null, name, $"site {site}, address {node.Address}");
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        await TestPause.AtAsync("node-add.placed", cancellationToken).ConfigureAwait(false);
        Store.End(operation);
        return node;
    }

    /// <summary>Stops the node's instances, then removes the node. A removal that fails part-way is finished at the daemon's next start.</summary>
    public async Task RemoveNodeAsync(string name, CancellationToken cancellationToken)
    {
        var node = State.Model.Nodes.FirstOrDefault(n => n.Name == name)
            ?? throw new NotFoundException($"no node '{name}' in {State.Model.Name}");
        var operation = Store.Begin(new PendingOperation { Kind = OperationKinds.NodeRemove, Target = name, Phase = "recorded", Node = node, StartedAt = _time.GetUtcNow() });
        await RemoveNodeCoreAsync(name, cancellationToken).ConfigureAwait(false);
        Store.End(operation);
    }

    /// <summary>Adds a site with tunnels to every other; returns once its router reaches every other router.</summary>
    public async Task<SiteModel> AddSiteAsync(string name, string cidr, string? router, string? location, CancellationToken cancellationToken)
    {
        var (site, tunnels) = TopologyEditor.PlanSite(State.Model, name, cidr, router, location, _backend.HostNetworks.Read(), HostLimits.Read());
        var operation = Store.Begin(new PendingOperation { Kind = OperationKinds.SiteAdd, Target = name, Phase = "recorded", Site = site, Tunnels = tunnels, StartedAt = _time.GetUtcNow() });
        try
        {
            await TestPause.AtAsync("site-add.recorded", cancellationToken).ConfigureAwait(false);
            State = await _backend.AddSiteAsync(State, site, tunnels, TimeSpan.FromSeconds(30), new PhaseRecorder(Store, operation), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Store.End(operation);
            throw;
        }

        Store.Save(operation with { Phase = "built" });
        await TestPause.AtAsync("site-add.built", cancellationToken).ConfigureAwait(false);
        Emit(EventKind.SiteAdded, null, null, $"site {name} ({site.Cidr}), router {site.RouterWan}, {tunnels.Count} tunnels");
        Store.End(operation);
        return site;
    }

    /// <summary>Removes a site; its nodes go first (their instances stopped). Finished at the daemon's next start if it fails part-way.</summary>
    public async Task RemoveSiteAsync(string name, CancellationToken cancellationToken)
    {
        var site = State.Model.Sites.FirstOrDefault(s => s.Name == name)
            ?? throw new NotFoundException($"no site '{name}' in {State.Model.Name}");
        var operation = Store.Begin(new PendingOperation { Kind = OperationKinds.SiteRemove, Target = name, Phase = "recorded", Site = site, StartedAt = _time.GetUtcNow() });
        await RemoveSiteCoreAsync(name, cancellationToken).ConfigureAwait(false);
        Store.End(operation);
    }

    private async Task RemoveNodeCoreAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var instance in Store.Instances().Where(i => i.Node == name))
        {
            await StopAsync(instance, cancellationToken).ConfigureAwait(false);
            Store.Delete(instance);
            Emit(EventKind.InstanceStopped, instance.Workload, name, "node removed");
        }

        State = await _backend.RemoveNodeAsync(State, name, cancellationToken).ConfigureAwait(false);
        Emit(EventKind.NodeRemoved, null, name, "namespace and links removed");
    }

    private async Task RemoveSiteCoreAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var node in State.Model.NodesIn(name).ToList())
        {
            await RemoveNodeCoreAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }

        State = await _backend.RemoveSiteAsync(State, name, cancellationToken).ConfigureAwait(false);
        Emit(EventKind.SiteRemoved, null, null, $"site {name} and its tunnels removed");
    }

    /// <summary>Writes each step the backend reports into the operation's row, at once (not through a synchronisation context).</summary>
    private sealed class PhaseRecorder(ControlStore store, PendingOperation operation) : IProgress<string>
    {
        private PendingOperation _operation = operation;

        public void Report(string value) => _operation = store.Save(_operation with { Phase = value });
    }
}
