using GeoStage.Core.Processes;
using GeoStage.Core.Backends;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Probing;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>
    /// Adds a node to a running environment: its namespace and veth into the site's bridge, its address
    /// and default route, and permanent neighbour entries both ways with its site's nodes and router.
    /// Fails whole: on an error whatever was created is removed and the state is as before.
    /// </summary>
    public Task<EnvironmentState> AddNodeAsync(EnvironmentState state, NodeModel node, CancellationToken cancellationToken) =>
        AddNodeAsync(state, node, resuming: false, steps: null, cancellationToken);

    /// <summary>
    /// Adds a node, reporting each step done to <paramref name="steps"/> (namespace, veth, address,
    /// neighbours). With <paramref name="resuming"/>, finishes an add that a crash interrupted: the node may
    /// already be in the state, its namespace and veth may exist; every step is skipped or repeated harmlessly.
    /// </summary>
    public async Task<EnvironmentState> AddNodeAsync(EnvironmentState state, NodeModel node, bool resuming, IProgress<string>? steps, CancellationToken cancellationToken)
    {
        var known = state.Model.Nodes.Any(n => n.Name == node.Name);
        var model = known ? state.Model : state.Model with { Nodes = [.. state.Model.Nodes, node] };
        var ns = LocalNames.Node(model.Name, node.Name);
        if (!resuming && Ip.Exists(ns))
        {
            throw new InvalidRequestException($"network namespace {ns} already exists; remove it or pick another node name");
        }

        async Task StepAsync(string step)
        {
            steps?.Report(step);
            await TestPause.AtAsync("node-add." + step, cancellationToken).ConfigureAwait(false);
        }

        var site = model.Site(node.Site);
        var grown = state with { Model = model, Namespaces = [.. state.Namespaces.Where(n => n != ns), ns] };
        var before = state with { Model = model with { Nodes = [.. model.Nodes.Where(n => n.Name != node.Name)] }, Namespaces = [.. state.Namespaces.Where(n => n != ns)] };
        _store.Save(grown);
        try
        {
            if (!Ip.Exists(ns))
            {
                await Ip.BatchAsync(null, [$"netns add {ns}"], cancellationToken).ConfigureAwait(false);
            }

            await StepAsync("namespace").ConfigureAwait(false);

            // Both ends of a veth are made by one netlink request: after a crash there is the pair or nothing,
            // so a resumed add skips creating it and only (re)attaches it to the bridge.
            var fabric = LocalNames.Fabric(model.Name);
            var leg = NodeLeg(model, node);
            var veth = resuming && await LinkExistsAsync(fabric, LocalNames.NodePeer(node), cancellationToken).ConfigureAwait(false)
                ? leg[1..]
                : leg;
            await Ip.BatchAsync(fabric, veth, cancellationToken).ConfigureAwait(false);
            await StepAsync("veth").ConfigureAwait(false);

            await Ip.BatchAsync(ns, NodeCommands(model, node), cancellationToken).ConfigureAwait(false);
            await StepAsync("address").ConfigureAwait(false);

            var jobs = model.NodesIn(site.Name).Where(n => n.Name != node.Name)
                .Select(n => (Ns: LocalNames.Node(model.Name, n.Name), Device: LocalNames.NodeInterface))
                .Append((Ns: LocalNames.Router(model.Name, site.Name), Device: LocalNames.RouterLan));
            await Parallel.ForEachAsync(
                jobs,
                new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
                async (job, ct) => await Ip.BatchAsync(job.Ns, [Neighbour(node.Address, LocalNames.NodeMac(node), job.Device)], ct).ConfigureAwait(false)).ConfigureAwait(false);
            await StepAsync("neighbours").ConfigureAwait(false);
            return grown;
        }
        catch
        {
            await RemoveNodeCoreAsync(model, node, CancellationToken.None).ConfigureAwait(false);
            _store.Save(before);
            throw;
        }
    }

    /// <summary>
    /// Removes a node: ends whatever runs in its namespace, deletes it, and forgets its neighbour entries.
    /// Each step tolerates what is gone already, so that a half-built node (a crash during its add) or a
    /// half-removed one goes as well.
    /// </summary>
    public async Task<EnvironmentState> RemoveNodeAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        var node = state.Model.Nodes.FirstOrDefault(n => n.Name == name)
            ?? throw new InvalidRequestException($"no node '{name}' in {state.Model.Name}");
        await RemoveNodeCoreAsync(state.Model, node, cancellationToken).ConfigureAwait(false);
        var ns = LocalNames.Node(state.Model.Name, name);
        var shrunk = state with { Model = state.Model with { Nodes = [.. state.Model.Nodes.Where(n => n.Name != name)] }, Namespaces = [.. state.Namespaces.Where(n => n != ns)] };
        _store.Save(shrunk);
        return shrunk;
    }

    private static async Task RemoveNodeCoreAsync(EnvironmentModel model, NodeModel node, CancellationToken cancellationToken)
    {
        var ns = LocalNames.Node(model.Name, node.Name);
        if (Ip.Exists(ns))
        {
            var inside = ProcTable.InNamespace(NetNs.Identity(ns));
            await Task.WhenAll(inside.Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid)))
                .Where(p => p.Ticks is not null)
                .Select(p => HostProcesses.StopAsync(p.Pid, p.Ticks!.Value, s_grace, cancellationToken))).ConfigureAwait(false);
            await Ip.BatchAsync(null, [$"netns del {ns}"], cancellationToken).ConfigureAwait(false);
        }

        var jobs = model.NodesIn(node.Site).Where(n => n.Name != node.Name)
            .Select(n => (Ns: LocalNames.Node(model.Name, n.Name), Device: LocalNames.NodeInterface))
            .Append((Ns: LocalNames.Router(model.Name, node.Site), Device: LocalNames.RouterLan))
            .Where(job => Ip.Exists(job.Ns));
        await Parallel.ForEachAsync(
            jobs,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (job, ct) => await Ip.ForceBatchAsync(job.Ns, [$"neigh del {node.Address} dev {job.Device}"], ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task<bool> LinkExistsAsync(string ns, string device, CancellationToken cancellationToken)
    {
        var links = await Ip.JsonAsync(ns, ["link", "show"], cancellationToken).ConfigureAwait(false);
        return links.EnumerateArray().Any(l => l.TryGetProperty("ifname", out var name) && name.GetString() == device);
    }

    /// <summary>Probes from <paramref name="node"/> to every other node and back until all answer, or the timeout.</summary>
    public async Task<Reachability> WaitNodeReachableAsync(EnvironmentModel model, string node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var self = model.Nodes.First(n => n.Name == node);
        var targets = model.Nodes.Where(n => n.Name != node)
            .SelectMany(other => new[]
            {
                new ProbeTarget(self.Name, LocalNames.Node(model.Name, self.Name), other.Name, other.Address),
                new ProbeTarget(other.Name, LocalNames.Node(model.Name, other.Name), self.Name, self.Address),
            })
            .ToList();
        var results = await IcmpProber.ProbeAsync(targets, new ProbeOptions { UntilReachableWithin = timeout, Interval = TimeSpan.FromMilliseconds(50) }, cancellationToken).ConfigureAwait(false);
        return ToReachability(model, overlay: true, results);
    }
}
