using GeoStage.Control.Balancers;
using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>
    /// An instance of the current generation that failed its health gate ends the rollout: the last fully
    /// healthy spec becomes current again (a new generation), so the instances already replaced are replaced
    /// back. Never a generation that was still rolling out when this one came: it may never have worked.
    /// </summary>
    private WorkloadRecord RollBackIfFailed(WorkloadRecord workload, IEnumerable<InstanceRecord> instances)
    {
        var failed = instances.FirstOrDefault(i => i.Generation == workload.Generation && i.State == InstanceState.Failed);
        if (failed is null || workload.Previous is null || workload.Status == WorkloadStatus.RollingBack)
        {
            return workload;
        }

        var healthy = workload.LastHealthy;
        var message = $"version {workload.Spec.Version} failed its health check on {failed.Node} ({failed.Health ?? failed.LastExit ?? "no answer"}); rolling back to version {workload.Previous.Version}"
            + (healthy is null ? "" : $" (generation {healthy.Generation}, the last fully healthy)");
        var now = _time.GetUtcNow();
        var rolledBack = End(workload, workload.Generation, GenerationOutcome.RolledBack, now, message) with
        {
            // The previous program, where the workload is placed now (a scale since then stands).
            Spec = workload.Previous with { Placement = workload.Spec.Placement },
            Previous = null,
            Generation = workload.Generation + 1,
            Status = WorkloadStatus.RollingBack,
            Message = message,
            UpdatedAt = now,
        };
        rolledBack = Begin(rolledBack, "rollback");
        Store.Save(rolledBack);

        // Instances never replaced still run the healthy spec: they join the new generation as they are. Known
        // by generation, not version: a broken update may keep the version and change only args or env.
        foreach (var untouched in instances.Where(i => i.Generation < workload.Generation && (healthy is null ? i.Version == rolledBack.Spec.Version : i.Generation <= healthy.Generation)))
        {
            Store.Save(untouched with { Generation = rolledBack.Generation });
        }

        Emit(EventKind.RolloutFailed, workload.Name, failed.Node, message);
        return rolledBack;
    }

    /// <summary>
    /// Replaces instances of older generations site by site (in the topology's order), never leaving more
    /// than MaxUnavailable instances of the workload unhealthy at once; each replacement is gated on the
    /// new instance's health check before the next one starts.
    /// </summary>
    private async Task AdvanceRolloutAsync(WorkloadRecord workload, Dictionary<string, InstanceRecord> instances, IReadOnlyList<NodeModel> targets, CancellationToken cancellationToken)
    {
        var order = targets.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var outdated = instances.Values.Where(i => i.Generation < workload.Generation).OrderBy(i => order.GetValueOrDefault(i.Node)).ToList();
        if (outdated.Count == 0)
        {
            return;
        }

        // Outdated instances that are down already cost no availability: replace them first, whatever the budget.
        var down = outdated.Where(i => i.State is not (InstanceState.Healthy or InstanceState.Draining)).ToList();
        var unavailable = instances.Values.Count(i => i.State != InstanceState.Healthy);
        var budget = workload.Spec.MaxUnavailable - unavailable;
        var site = outdated[0].Site;
        var chosen = outdated.Where(i => i.State == InstanceState.Healthy && i.Site == site).Take(Math.Max(0, budget))
            .Concat(outdated.Where(i => i.State == InstanceState.Draining));

        // Instances behind a balancer leave its rotation before they are replaced.
        var next = down.Concat(ReadyToStop(workload.Name, chosen)).ToList();
        if (next.Count == 0)
        {
            return;
        }

        await StopManyAsync(next, cancellationToken).ConfigureAwait(false);
        foreach (var instance in next)
        {
            Emit(EventKind.InstanceReplacing, workload.Name, instance.Node, $"version {instance.Version} -> {workload.Spec.Version}");
        }

        await TestPause.AtAsync("update.replacing", cancellationToken).ConfigureAwait(false);

        // Restarts count per version: the new one starts from none.
        foreach (var started in StartMany(workload, [.. next.Select(i => (targets.First(t => t.Name == i.Node), 0, (string?)null))], cancellationToken))
        {
            instances[started.Node] = started;
        }
    }

    private void UpdateStatus(WorkloadRecord workload, IEnumerable<InstanceRecord> instances)
    {
        if (workload.Status == WorkloadStatus.Stopped)
        {
            return;
        }

        var all = instances.ToList();
        var ready = all.All(i => i.Generation == workload.Generation && i.State == InstanceState.Healthy);

        // A balancer is ready when it serves: one of its replicas leads. Only the way into Ready waits for
        // that; a failover later is a balancer event, not a rollout.
        if (ready && workload.Status is not (WorkloadStatus.Ready or WorkloadStatus.RolledBack) && BalancerWorkloads.Of(workload.Spec) is { } balancer
            && !Reports.Any(r => r.Key.Balancer == balancer.Name && r.Value.Leader))
        {
            ready = false;
        }
        var rolledBack = workload.Status is WorkloadStatus.RollingBack or WorkloadStatus.RolledBack;
        var status = ready ? (rolledBack ? WorkloadStatus.RolledBack : WorkloadStatus.Ready)
            : workload.Status == WorkloadStatus.RollingBack ? WorkloadStatus.RollingBack
            : WorkloadStatus.Progressing;
        var firstHealthy = ready && workload.LastHealthy?.Generation != workload.Generation;
        if (status == workload.Status && !firstHealthy)
        {
            return;
        }

        // A finished rollout has nothing left to roll back to: a crash next week is a crash, not a failed update.
        var now = _time.GetUtcNow();
        var next = workload with { Status = status, Message = rolledBack ? workload.Message : null, Previous = ready ? null : workload.Previous, UpdatedAt = now };
        if (firstHealthy)
        {
            // The generation every later rollout may fall back to, kept with its whole spec.
            next = End(next with { LastHealthy = new HealthyGeneration(workload.Generation, workload.Spec, now) }, workload.Generation, GenerationOutcome.Ready, now, $"version {workload.Spec.Version} ready");
        }

        Store.Save(next);
        if (ready && status != workload.Status)
        {
            Emit(rolledBack ? EventKind.RolledBack : EventKind.Ready, workload.Name, null, $"version {workload.Spec.Version} healthy on {all.Count} nodes");
        }
    }
}
