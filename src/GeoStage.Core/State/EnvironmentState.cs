using GeoStage.Core.Model;

namespace GeoStage.Core.State;

public enum EnvironmentPhase
{
    /// <summary><c>up</c> is creating it; seen after a crash, it means leftovers that <c>down</c> removes.</summary>
    Building,

    Up,

    /// <summary><c>up</c> failed and its rollback failed too; <c>down</c> finishes the job.</summary>
    Failed,
}

/// <summary>What GeoStage created for one environment, written before and after every step so that
/// <c>down</c> can remove exactly that, however far <c>up</c> got.</summary>
public sealed record EnvironmentState
{
    public required string Name { get; init; }
    public required EnvironmentPhase Phase { get; init; }
    public required EnvironmentModel Model { get; init; }
    public string? SpecFile { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadyAt { get; init; }

    /// <summary>Namespaces this environment owns: checked free before creation, so removing them harms nothing else.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public IReadOnlyList<ProcessRecord> Processes { get; init; } = [];

    /// <summary>Why the last <c>up</c> failed, when it did.</summary>
    public string? Error { get; init; }
}

/// <summary>A process GeoStage started. <see cref="StartTicks"/> (from /proc/PID/stat) tells it from a
/// later process that reuses the PID, so nothing else is ever signalled.</summary>
public sealed record ProcessRecord
{
    public required string Role { get; init; }
    public required string Namespace { get; init; }
    public required int Pid { get; init; }
    public required ulong StartTicks { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required string LogFile { get; init; }
    public string? Site { get; init; }
    public string? Peer { get; init; }
    public string? Interface { get; init; }
}
