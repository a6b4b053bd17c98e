using GeoStage.Core.Model;
using GeoStage.Core.Validation;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>Adds a node; the next reconcile starts the workloads its placement selects there.</summary>
    public async Task<NodeModel> AddNodeAsync(string site, string name, string? address, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        var node = TopologyEditor.PlanNode(State.Model, site, name, address, labels);
        State = await _backend.AddNodeAsync(State, node, cancellationToken).ConfigureAwait(false);
        Emit("node-added", null, name, $"site {site}, address {node.Address}");
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>Stops the node's instances, then removes the node.</summary>
    public async Task RemoveNodeAsync(string name, CancellationToken cancellationToken)
    {
        if (State.Model.Nodes.All(n => n.Name != name))
        {
            throw new NotFoundException($"no node '{name}' in {State.Model.Name}");
        }

        foreach (var instance in Store.Instances().Where(i => i.Node == name))
        {
            await StopAsync(instance, cancellationToken).ConfigureAwait(false);
            Store.Delete(instance);
            Emit("instance-stopped", instance.Workload, name, "node removed");
        }

        State = await _backend.RemoveNodeAsync(State, name, cancellationToken).ConfigureAwait(false);
        Emit("node-removed", null, name, "namespace and links removed");
    }

    /// <summary>Adds a site with tunnels to every other; returns once its router reaches every other router.</summary>
    public async Task<SiteModel> AddSiteAsync(string name, string cidr, string? router, string? location, CancellationToken cancellationToken)
    {
        var (site, tunnels) = TopologyEditor.PlanSite(State.Model, name, cidr, router, location, new Local.HostRoutes().Read(), HostLimits.Read());
        State = await _backend.AddSiteAsync(State, site, tunnels, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        Emit("site-added", null, null, $"site {name} ({site.Cidr}), router {site.RouterWan}, {tunnels.Count} tunnels");
        return site;
    }

    /// <summary>Removes a site; its nodes go first (their instances stopped).</summary>
    public async Task RemoveSiteAsync(string name, CancellationToken cancellationToken)
    {
        if (State.Model.Sites.All(s => s.Name != name))
        {
            throw new NotFoundException($"no site '{name}' in {State.Model.Name}");
        }

        foreach (var node in State.Model.NodesIn(name).ToList())
        {
            await RemoveNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }

        State = await _backend.RemoveSiteAsync(State, name, cancellationToken).ConfigureAwait(false);
        Emit("site-removed", null, null, $"site {name} and its tunnels removed");
    }
}
