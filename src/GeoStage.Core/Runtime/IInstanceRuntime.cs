using System.Net;
using GeoStage.Core.Model;

namespace GeoStage.Core.Runtime;

/// <summary>
/// What names one running instance to the runtime that started it. Opaque to the control plane, which
/// only stores it and hands it back: locally a PID and its start time (so a reused PID is never taken for
/// it), a pod's UID on a cluster. <see cref="Pid"/> is there for people (ps) where the runtime has one.
/// </summary>
public sealed record InstanceHandle(string Id)
{
    public int? Pid { get; init; }

    public override string ToString() => Pid is { } pid ? $"pid {pid}" : Id;
}

/// <summary>Where an instance keeps its files on the daemon's host: its working directory and its output.</summary>
public sealed record InstancePaths(string WorkDir, string LogFile);

/// <summary>
/// An instance just started. <see cref="Exited"/> completes when it ends, with how it ended in words
/// ("exited with code 1", "killed by signal 9"); the runtime disposes what it holds for it then.
/// </summary>
public sealed record StartedInstance(InstanceHandle Handle, Task<string> Exited);

/// <summary>
/// An instance found running by <see cref="IInstanceRuntime.Scan"/>: marked as <paramref name="Workload"/>
/// on <paramref name="Node"/>. <paramref name="Started"/> orders instances found for the same marker (the
/// larger started later); the processes an instance started itself are part of it, never found apart.
/// </summary>
public sealed record FoundInstance(string Workload, string Node, InstanceHandle Handle, long Started);

/// <summary>
/// Runs workload instances for the control loop, wherever the backend puts nodes. Every call is safe from
/// any thread. Implementations: the local runtime (processes in the nodes' namespaces); the fake in
/// GeoStage.Testing for the control loop's unit tests.
/// </summary>
public interface IInstanceRuntime
{
    /// <summary>
    /// Whether a workload's program is run from this host's file system, so that validation looks it up
    /// here (locally, yes; a pod runs what its image holds, which this host cannot check).
    /// </summary>
    bool ProgramsOnThisHost { get; }

    /// <summary>Where the instance of <paramref name="workload"/> on <paramref name="node"/> keeps its files.</summary>
    InstancePaths PathsOf(string workload, string node);

    /// <summary>
    /// Starts one instance of <paramref name="workload"/> on <paramref name="node"/>, marked so that
    /// <see cref="Scan"/> finds it after a daemon restart; <paramref name="placed"/> are all the nodes the
    /// workload runs on (templates refer to them). Throws <see cref="Processes.ToolException"/>,
    /// <see cref="IOException"/> or <see cref="System.ComponentModel.Win32Exception"/> when it cannot start.
    /// </summary>
    StartedInstance Start(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed);

    /// <summary>Ends the instance and what it started: a polite signal, then a forced end after a grace period.</summary>
    Task StopAsync(InstanceHandle handle, CancellationToken cancellationToken);

    bool IsAlive(InstanceHandle handle);

    /// <summary>Every marked instance running on <paramref name="model"/>'s nodes now, whatever the records say.</summary>
    IReadOnlyList<FoundInstance> Scan(EnvironmentModel model);

    /// <summary>
    /// Runs <paramref name="workload"/>'s health check from where the instance on <paramref name="node"/>
    /// runs, as a peer on its site would; null when healthy, else why not.
    /// </summary>
    Task<string?> CheckHealthAsync(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed, CancellationToken cancellationToken);

    /// <summary>
    /// Takes <paramref name="vip"/> off <paramref name="node"/> if the node holds it; true when it did.
    /// A node that is gone holds nothing. The balancer's fencing: no two nodes ever hold the VIP.
    /// </summary>
    Task<bool> FenceVipAsync(EnvironmentModel model, string node, IPAddress vip, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the fence path once without changing anything (reads the VIP on the site's nodes, removes it
    /// from an interface that never holds it), so that the first real fence is as fast as later ones.
    /// </summary>
    Task WarmUpFenceAsync(EnvironmentModel model, BalancerModel balancer, CancellationToken cancellationToken);
}
