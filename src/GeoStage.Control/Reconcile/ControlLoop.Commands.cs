using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

/// <summary>Thrown for a request naming a workload, node or site that does not exist.</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException()
    {
    }

    public NotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

public sealed partial class ControlLoop
{
    /// <summary>
    /// Makes <paramref name="workloads"/> the wanted ones: new workloads start everywhere they are placed;
    /// a changed one rolls out as a new generation, with the last fully healthy spec kept to roll back to;
    /// an unchanged one is left alone. <paramref name="cause"/> names the change in the generation's history
    /// (and in what a superseded caller is told). Returns, per workload, what happened.
    /// </summary>
    public IReadOnlyDictionary<string, string> Apply(IReadOnlyList<WorkloadModel> workloads, string cause = "deploy", string? note = null)
    {
        var outcome = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in workloads)
        {
            var existing = Store.Workload(spec.Name);
            if (existing is not null && existing.Status != WorkloadStatus.Stopped && Same(existing.Spec, spec))
            {
                outcome[spec.Name] = "unchanged";
                continue;
            }

            if (existing is not null && existing.Status != WorkloadStatus.Stopped && SameProcess(existing.Spec, spec))
            {
                // Only placement, ports, health or rollout changed: no instance needs a restart; the
                // reconcile starts and stops instances where the placement now says.
                Store.Save(existing with { Spec = spec, UpdatedAt = _time.GetUtcNow() });
                outcome[spec.Name] = "reconfigured";
                Emit(EventKind.WorkloadReconfigured, spec.Name, null, "placement, ports, health or rollout changed; no restart");
                continue;
            }

            var record = existing is null
                ? new WorkloadRecord { Spec = spec, Generation = 1, Status = WorkloadStatus.Progressing, UpdatedAt = _time.GetUtcNow() }
                : existing with
                {
                    Spec = spec,

                    // Never the spec of a rollout still in progress: it may be the broken one.
                    Previous = existing.Status == WorkloadStatus.Stopped ? null : LastHealthyOf(existing)?.Spec,
                    Generation = existing.Generation + 1,
                    Status = WorkloadStatus.Progressing,
                    Message = note,
                    UpdatedAt = _time.GetUtcNow(),
                };
            record = Begin(record, cause);
            Store.Save(record);
            outcome[spec.Name] = existing is null ? "created" : existing.Status == WorkloadStatus.Stopped ? "started" : "updating";
            Emit(existing is null ? EventKind.WorkloadCreated : EventKind.WorkloadUpdated, spec.Name, null, $"version {spec.Version}, generation {record.Generation}{(note is null ? "" : $"; {note}")}");
        }

        PauseHere("deploy.stored");
        return outcome;
    }

    /// <summary>
    /// A new spec for <paramref name="name"/>, derived by <paramref name="change"/> from the current one, or,
    /// while a rollout of a never-healthy generation is in progress, from the last fully healthy one (see
    /// <see cref="BasisOf"/>; the workload's message then says so); rolls out.
    /// </summary>
    public WorkloadRecord Update(string name, Func<WorkloadModel, WorkloadModel> change)
    {
        var existing = Require(name);
        var (basis, note) = BasisOf(existing);
        var spec = change(basis);
        if (Same(existing.Spec, spec))
        {
            return existing;
        }

        Apply([spec], "update", note);
        return Require(name);
    }

    public WorkloadRecord Stop(string name)
    {
        var existing = Require(name);
        var now = _time.GetUtcNow();
        var stopped = Supersede(existing with { Status = WorkloadStatus.Stopped, Previous = null, UpdatedAt = now }, $"stopped (stop at {Clock(now)})", null, now);
        Store.Save(stopped);
        Emit(EventKind.WorkloadStopped, name, null, "stopping every instance");
        return stopped;
    }

    /// <summary>Changes where the workload runs, without restarting instances that stay.</summary>
    public WorkloadRecord Scale(string name, PlacementModel placement)
    {
        var existing = Require(name);
        var nodes = placement.Select(State.Model).Select(n => n.Name).ToHashSet();
        foreach (var other in Store.Workloads().Where(w => w.Name != name && w.Status != WorkloadStatus.Stopped))
        {
            var shared = other.Spec.Ports.Intersect(existing.Spec.Ports).ToList();
            if (shared.Count > 0 && other.Spec.Select(State.Model).FirstOrDefault(n => nodes.Contains(n.Name)) is { } clash)
            {
                throw new Core.Validation.InvalidRequestException($"port {shared[0]} on node {clash.Name} is also used by workload '{other.Name}'; scale to other nodes");
            }
        }

        var scaled = existing with { Spec = existing.Spec with { Placement = placement }, UpdatedAt = _time.GetUtcNow() };
        Store.Save(scaled);
        Emit(EventKind.WorkloadScaled, name, null, $"{placement.Select(State.Model).Count} instances wanted");
        return scaled;
    }

    /// <summary>Restarts one instance now, or every instance as a rolling restart within the policy.</summary>
    public async Task<WorkloadRecord> RestartAsync(string name, string? node, CancellationToken cancellationToken)
    {
        var existing = Require(name);
        if (node is null)
        {
            var restarted = Begin(existing with { Generation = existing.Generation + 1, Previous = null, Status = WorkloadStatus.Progressing, UpdatedAt = _time.GetUtcNow() }, "restart");
            Store.Save(restarted);
            Emit(EventKind.WorkloadRestarting, name, null, "rolling restart");
            return restarted;
        }

        var instance = Store.Instances(name).FirstOrDefault(i => i.Node == node)
            ?? throw new NotFoundException($"workload '{name}' has no instance on node '{node}'");
        await StopAsync(instance, cancellationToken).ConfigureAwait(false);
        var target = State.Model.Nodes.First(n => n.Name == node);
        Start(existing, target, instance, cancellationToken);
        Emit(EventKind.InstanceRestarted, name, node, "restarted on request");
        return existing;
    }

    private WorkloadRecord Require(string name) =>
        Store.Workload(name) ?? throw new NotFoundException($"no workload named '{name}'; 'geostage ps' lists them");

    /// <summary>Same program, arguments, environment and version: what a running process is made of.</summary>
    private static bool SameProcess(WorkloadModel a, WorkloadModel b) =>
        Same(a with { Placement = new(), Ports = [], Health = null, MaxUnavailable = 1, HealthTimeout = default }, b with { Placement = new(), Ports = [], Health = null, MaxUnavailable = 1, HealthTimeout = default });

    /// <summary>Same spec, compared by value (records compare lists by reference).</summary>
    private static bool Same(WorkloadModel a, WorkloadModel b) =>
        System.Text.Json.JsonSerializer.Serialize(a, Core.State.StateJson.Compact) == System.Text.Json.JsonSerializer.Serialize(b, Core.State.StateJson.Compact);
}
