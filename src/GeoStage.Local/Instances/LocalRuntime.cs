using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.Runtime;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local.Instances;

/// <summary>
/// Instances as processes in their node's namespace on this machine. A handle is the process's PID and
/// start time ("PID:TICKS"), so a later process reusing the PID is never taken for the instance.
/// </summary>
public sealed class LocalRuntime : IInstanceRuntime
{
    private readonly InstanceRunner _runner;

    // The processes this runtime started, until they end or are stopped: the exit code is read from them.
    private readonly ConcurrentDictionary<string, Process> _children = new(StringComparer.Ordinal);

    public LocalRuntime(string instancesRoot)
    {
        _runner = new InstanceRunner(instancesRoot);
    }

    public bool ProgramsOnThisHost => true;

    public static InstanceHandle HandleOf(int pid, ulong startTicks) =>
        new($"{pid.ToString(CultureInfo.InvariantCulture)}:{startTicks.ToString(CultureInfo.InvariantCulture)}") { Pid = pid };

    /// <summary>The PID and start time a handle of this runtime names; throws for one it did not make.</summary>
    public static (int Pid, ulong StartTicks) Parse(InstanceHandle handle)
    {
        var parts = handle.Id.Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (pid, ticks)
            : throw new ArgumentException($"'{handle.Id}' is not a local instance handle (PID:TICKS)", nameof(handle));
    }

    public InstancePaths PathsOf(string workload, string node)
    {
        var (workDir, log) = _runner.Paths(workload, node);
        return new InstancePaths(workDir, log);
    }

    public StartedInstance Start(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed)
    {
        var (process, pid, ticks) = _runner.Start(model, workload, node, placed);
        var handle = HandleOf(pid, ticks);
        _children[handle.Id] = process;
        return new StartedInstance(handle, ExitedAsync(handle.Id, process));
    }

    private async Task<string> ExitedAsync(string id, Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        var exit = process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128}" : $"exited with code {process.ExitCode}";
        if (_children.TryRemove(new KeyValuePair<string, Process>(id, process)))
        {
            process.Dispose();
        }

        return exit;
    }

    public async Task StopAsync(InstanceHandle handle, CancellationToken cancellationToken)
    {
        var (pid, ticks) = Parse(handle);
        await InstanceRunner.StopAsync(pid, ticks, cancellationToken).ConfigureAwait(false);
    }

    public bool IsAlive(InstanceHandle handle)
    {
        var (pid, ticks) = Parse(handle);
        return ProcTable.IsAlive(pid, ticks);
    }

    /// <summary>
    /// Marked processes in the nodes' namespaces. An instance's children inherit its marker, so only the
    /// roots of marked trees are instances: a marked process whose ancestor is marked too belongs to it.
    /// </summary>
    public IReadOnlyList<FoundInstance> Scan(EnvironmentModel model)
    {
        var marked = model.Nodes
            .SelectMany(n => InstanceRunner.Scan(LocalNames.Node(model.Name, n.Name)))
            .Where(p => p.Marker is not null)
            .ToList();
        return [.. marked
            .Where(p => !marked.Any(q => q.Pid != p.Pid && ProcTable.DescendsFrom(p.Pid, q.Pid)))
            .Select(p =>
            {
                var slash = p.Marker!.IndexOf('/', StringComparison.Ordinal);
                return new FoundInstance(p.Marker[..Math.Max(0, slash)], p.Marker[(slash + 1)..], HandleOf(p.Pid, p.StartTicks), (long)p.StartTicks);
            })];
    }

    public Task<string?> CheckHealthAsync(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed, CancellationToken cancellationToken) =>
        HealthChecker.CheckAsync(workload.Health!, LocalNames.Node(model.Name, node.Name), model, workload, node, placed, cancellationToken);

    public async Task<bool> FenceVipAsync(EnvironmentModel model, string node, IPAddress vip, CancellationToken cancellationToken)
    {
        var ns = LocalNames.Node(model.Name, node);
        try
        {
            // Read in-process (no ip to start) since the new leader waits for this before serving.
            if (!Ip.Exists(ns) || !Vip.Held(ns, vip))
            {
                return false;
            }

            await Vip.ReleaseAsync(ns, vip, LocalNames.NodeInterface, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ToolException or IOException && !Ip.Exists(ns))
        {
            // The node is being removed: its namespace, and any VIP in it, are gone.
            return false;
        }
    }

    public async Task WarmUpFenceAsync(EnvironmentModel model, BalancerModel balancer, CancellationToken cancellationToken)
    {
        var nodes = model.Nodes.Where(n => n.Site == balancer.Site).Select(n => LocalNames.Node(model.Name, n.Name)).Where(Ip.Exists).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(ns => Task.Run(() => Vip.Held(ns, balancer.Vip), cancellationToken))).ConfigureAwait(false);
            if (nodes.Count > 0)
            {
                // Loopback never holds the VIP: ip runs, answers that the address is not there, which counts as done.
                await Vip.ReleaseAsync(nodes[0], balancer.Vip, "lo", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ToolException or IOException)
        {
            // A node going away meanwhile: the real fence handles that case itself.
        }
    }
}
