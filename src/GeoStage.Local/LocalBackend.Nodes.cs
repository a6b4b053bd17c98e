using GeoStage.Core.Backends;
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
    /// Fails whole: on an error the namespace is removed and the state is as before.
    /// </summary>
    public async Task<EnvironmentState> AddNodeAsync(EnvironmentState state, NodeModel node, CancellationToken cancellationToken)
    {
        var model = state.Model with { Nodes = [.. state.Model.Nodes, node] };
        var ns = LocalNames.Node(model.Name, node.Name);
        if (Ip.Exists(ns))
        {
            throw new InvalidRequestException($"network namespace {ns} already exists; remove it or pick another node name");
        }

        var site = model.Site(node.Site);
        var grown = state with { Model = model, Namespaces = [.. state.Namespaces, ns] };
        _store.Save(grown);
        try
        {
            await Ip.BatchAsync(null, [$"netns add {ns}"], cancellationToken).ConfigureAwait(false);
            await Ip.BatchAsync(LocalNames.Fabric(model.Name), NodeLeg(model, node), cancellationToken).ConfigureAwait(false);
            var jobs = model.NodesIn(site.Name).Where(n => n.Name != node.Name)
                .Select(n => (Ns: LocalNames.Node(model.Name, n.Name), Commands: (IEnumerable<string>)[Neighbour(node.Address, LocalNames.NodeMac(node), LocalNames.NodeInterface)]))
                .Append((Ns: LocalNames.Router(model.Name, site.Name), Commands: [Neighbour(node.Address, LocalNames.NodeMac(node), LocalNames.RouterLan)]))
                .Append((Ns: ns, Commands: NodeCommands(model, node)));
            await Parallel.ForEachAsync(
                jobs,
                new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
                async (job, ct) => await Ip.BatchAsync(job.Ns, job.Commands, ct).ConfigureAwait(false)).ConfigureAwait(false);
            return grown;
        }
        catch
        {
            if (Ip.Exists(ns))
            {
                await Ip.BatchAsync(null, [$"netns del {ns}"], CancellationToken.None).ConfigureAwait(false);
            }

            _store.Save(state);
            throw;
        }
    }

    /// <summary>Removes a node: ends whatever runs in its namespace, deletes it, and forgets its neighbour entries.</summary>
    public async Task<EnvironmentState> RemoveNodeAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        var node = state.Model.Nodes.FirstOrDefault(n => n.Name == name)
            ?? throw new InvalidRequestException($"no node '{name}' in {state.Model.Name}");
        var ns = LocalNames.Node(state.Model.Name, name);
        if (Ip.Exists(ns))
        {
            var inside = ProcTable.InNamespace(NetNs.Identity(ns));
            await Task.WhenAll(inside.Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid)))
                .Where(p => p.Ticks is not null)
                .Select(p => ProcessLauncher.StopAsync(p.Pid, p.Ticks!.Value, s_grace, cancellationToken))).ConfigureAwait(false);
            await Ip.BatchAsync(null, [$"netns del {ns}"], cancellationToken).ConfigureAwait(false);
        }

        var model = state.Model with { Nodes = [.. state.Model.Nodes.Where(n => n.Name != name)] };
        var jobs = model.NodesIn(node.Site).Select(n => (Ns: LocalNames.Node(model.Name, n.Name), Device: LocalNames.NodeInterface))
            .Append((Ns: LocalNames.Router(model.Name, node.Site), Device: LocalNames.RouterLan));
        await Parallel.ForEachAsync(
            jobs,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (job, ct) => await Ip.BatchAsync(job.Ns, [$"neigh del {node.Address} dev {job.Device}"], ct).ConfigureAwait(false)).ConfigureAwait(false);
        var shrunk = state with { Model = model, Namespaces = [.. state.Namespaces.Where(n => n != ns)] };
        _store.Save(shrunk);
        return shrunk;
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
