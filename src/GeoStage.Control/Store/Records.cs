using GeoStage.Core.Runtime;
using GeoStage.Core.Model;

namespace GeoStage.Control.Store;

public enum WorkloadStatus
{
    /// <summary>Instances are being started or replaced.</summary>
    Progressing,

    /// <summary>Every instance runs the current generation and is healthy.</summary>
    Ready,

    /// <summary>A rollout failed its health gate and the previous spec is being restored.</summary>
    RollingBack,

    /// <summary>The previous spec is restored and healthy after a failed rollout.</summary>
    RolledBack,

    /// <summary>Stopped by the user; no instance runs.</summary>
    Stopped,
}

/// <summary>
/// A workload as the daemon keeps it. <see cref="Generation"/> grows with every change of spec (update,
/// rollback, restart); an instance started from an older generation is replaced by the rollout.
/// </summary>
public sealed record WorkloadRecord
{
    public required WorkloadModel Spec { get; init; }
    public required long Generation { get; init; }

    /// <summary>What a failure of the rollout in progress returns to: the last fully healthy spec, or null
    /// when there is nothing to go back to (no rollout in progress, a first deploy, a rolling restart).</summary>
    public WorkloadModel? Previous { get; init; }

    /// <summary>The newest generation every instance of which was healthy at once: never a broken one.</summary>
    public HealthyGeneration? LastHealthy { get; init; }

    /// <summary>The latest generations and how each ended, oldest first (at most <see cref="GenerationRecord.Kept"/>).</summary>
    public IReadOnlyList<GenerationRecord> History { get; init; } = [];

    public required WorkloadStatus Status { get; init; }
    public string? Message { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public string Name => Spec.Name;
}

/// <summary>A generation that was fully healthy, with the whole spec it ran (version, command, args, env...).</summary>
public sealed record HealthyGeneration(long Generation, WorkloadModel Spec, DateTimeOffset At);

public enum GenerationOutcome
{
    /// <summary>Still rolling out.</summary>
    Pending,

    /// <summary>Every instance ran it and was healthy.</summary>
    Ready,

    /// <summary>It failed its health gate and was rolled back.</summary>
    RolledBack,

    /// <summary>A later change (or a stop) replaced it before it was ready.</summary>
    Superseded,
}

/// <summary>
/// One generation of a workload: what made it (deploy, update, restart, rollback) and how it ended, so
/// that whoever waits on it learns its fate by its number, whatever came after.
/// </summary>
public sealed record GenerationRecord
{
    /// <summary>How many generations a workload remembers.</summary>
    public const int Kept = 32;

    public required long Generation { get; init; }
    public required string Version { get; init; }
    public required string Cause { get; init; }
    public required DateTimeOffset At { get; init; }
    public GenerationOutcome Outcome { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The generation that superseded this one (null for a stop, or when not superseded).</summary>
    public long? SupersededBy { get; init; }

    /// <summary>How it ended, in words, for the caller who waited on it.</summary>
    public string? Message { get; init; }
}

public enum InstanceState
{
    /// <summary>Started; waiting for its health check to pass.</summary>
    Starting,

    Healthy,

    /// <summary>Running, but its health check fails.</summary>
    Unhealthy,

    /// <summary>Exited unexpectedly; restarts at <see cref="InstanceRecord.NextStartAt"/>.</summary>
    Backoff,

    /// <summary>Did not become healthy within the rollout's health timeout.</summary>
    Failed,

    /// <summary>
    /// Fronted by a balancer and about to stop: out of rotation (not healthy), still running until
    /// <see cref="InstanceRecord.DrainUntil"/> so that no new connection reaches it when it goes.
    /// </summary>
    Draining,
}

/// <summary>One workload on one node.</summary>
public sealed record InstanceRecord
{
    public required string Workload { get; init; }
    public required string Node { get; init; }
    public required string Site { get; init; }
    public required string Version { get; init; }
    public required long Generation { get; init; }
    public required InstanceState State { get; init; }

    /// <summary>What the runtime named the running instance by; null while none runs (starting, backoff).</summary>
    public InstanceHandle? Handle { get; init; }
    public int Restarts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? HealthySince { get; init; }
    public DateTimeOffset? NextStartAt { get; init; }
    public string? LastExit { get; init; }
    public string? Health { get; init; }
    public DateTimeOffset? DrainUntil { get; init; }
    public required string LogFile { get; init; }
    public required string WorkDir { get; init; }
}

/// <summary>
/// A topology change (kinds in <see cref="OperationKinds"/>) recorded in the store before it acts and
/// deleted when it is done, so that a daemon killed part-way finishes or undoes it when it starts again.
/// <see cref="Phase"/> is the last step completed, which decides between the two.
/// </summary>
public sealed record PendingOperation
{
    public long Id { get; init; }
    public required string Kind { get; init; }
    public required string Target { get; init; }
    public required string Phase { get; init; }
    public NodeModel? Node { get; init; }
    public SiteModel? Site { get; init; }
    public IReadOnlyList<TunnelModel> Tunnels { get; init; } = [];
    public required DateTimeOffset StartedAt { get; init; }
}

public static class OperationKinds
{
    public const string NodeAdd = "node-add";
    public const string NodeRemove = "node-remove";
    public const string SiteAdd = "site-add";
    public const string SiteRemove = "site-remove";
}

public sealed record EventRecord(long Id, DateTimeOffset At, string Kind, string? Workload, string? Node, string Message);
