using System.Globalization;
using GeoStage.Control.Store;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

/// <summary>
/// Which generation is worth going back to or building on, and how each generation ended. Changes may
/// come faster than rollouts finish: a version that never got healthy must become neither the rollback
/// target nor the basis of the next update, and whoever waits on a generation must learn its fate by
/// its number (versions repeat, and a later change may carry any version).
/// </summary>
public sealed partial class ControlLoop
{
    /// <summary>
    /// The last fully healthy generation, with the current spec when that is the current generation: a
    /// change of placement, ports or health keeps the generation (nothing restarts), so it holds as well.
    /// </summary>
    private static HealthyGeneration? LastHealthyOf(WorkloadRecord workload) =>
        workload.LastHealthy is { } healthy && healthy.Generation == workload.Generation ? healthy with { Spec = workload.Spec } : workload.LastHealthy;

    /// <summary>
    /// What an update that names only some fields builds on. During a rollout of a generation that was never
    /// fully healthy, version, command, args and env come from the last fully healthy generation, not from the
    /// rollout's (maybe broken) spec; placement, ports, health and rollout settings stay the current ones.
    /// Returns a note saying so, or null when the current spec is the basis.
    /// </summary>
    private static (WorkloadModel Basis, string? Note) BasisOf(WorkloadRecord workload)
    {
        if (workload.Status is not (WorkloadStatus.Progressing or WorkloadStatus.RollingBack)
            || LastHealthyOf(workload) is not { } healthy || healthy.Generation == workload.Generation)
        {
            return (workload.Spec, null);
        }

        var basis = workload.Spec with { Version = healthy.Spec.Version, Command = healthy.Spec.Command, Args = healthy.Spec.Args, Env = healthy.Spec.Env };
        return SameProcess(basis, workload.Spec)
            ? (workload.Spec, null)
            : (basis, $"built on version {healthy.Spec.Version} (generation {healthy.Generation}, the last fully healthy), not on version {workload.Spec.Version} (generation {workload.Generation}), which was never healthy");
    }

    /// <summary>
    /// Opens the history entry of <paramref name="record"/>'s (new) generation; a generation still rolling out
    /// before it is superseded by it, and says by what.
    /// </summary>
    private WorkloadRecord Begin(WorkloadRecord record, string cause)
    {
        var now = _time.GetUtcNow();
        var closed = Supersede(record, $"superseded by version {record.Spec.Version} ({cause} at {Clock(now)})", record.Generation, now);
        var entry = new GenerationRecord { Generation = record.Generation, Version = record.Spec.Version, Cause = cause, At = now };
        return closed with { History = [.. closed.History.Append(entry).TakeLast(GenerationRecord.Kept)] };
    }

    /// <summary>Ends every generation still rolling out as superseded: <paramref name="how"/> says by what.</summary>
    private static WorkloadRecord Supersede(WorkloadRecord record, string how, long? by, DateTimeOffset at) => record with
    {
        History = [.. record.History.Select(g => g.Outcome == GenerationOutcome.Pending
            ? g with { Outcome = GenerationOutcome.Superseded, EndedAt = at, SupersededBy = by, Message = $"version {g.Version} was {how} before it was ready" }
            : g)],
    };

    /// <summary>Ends <paramref name="generation"/>'s entry, if it is still rolling out.</summary>
    private static WorkloadRecord End(WorkloadRecord record, long generation, GenerationOutcome outcome, DateTimeOffset at, string message) => record with
    {
        History = [.. record.History.Select(g => g.Generation == generation && g.Outcome == GenerationOutcome.Pending
            ? g with { Outcome = outcome, EndedAt = at, Message = message }
            : g)],
    };

    /// <summary>A time of day as events show it (UTC), for messages.</summary>
    private static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
