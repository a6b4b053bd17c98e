using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    private void ScheduleCheck(WorkloadRecord workload, InstanceRecord instance, NodeModel node, DateTimeOffset now)
    {
        var key = (instance.Workload, instance.Node);
        var health = workload.Spec.Health!;
        if (_checking.Contains(key) || (_checkedAt.TryGetValue(key, out var last) && now - last < health.Interval))
        {
            return;
        }

        _checking.Add(key);
        _checkedAt[key] = now;
        var model = State.Model;
        var instances = workload.Spec.Select(model);
        var handle = instance.Handle;
        _ = Task.Run(async () =>
        {
            var problem = await _runtime.CheckHealthAsync(model, workload.Spec, node, instances, CancellationToken.None).ConfigureAwait(false);
            await Post(() =>
            {
                _checking.Remove(key);
                if (Store.Workload(key.Workload) is not null && Store.Instances(key.Workload).FirstOrDefault(i => i.Node == key.Node) is { } current && current.Handle == handle)
                {
                    MarkHealth(current, problem);
                }

                return true;
            }).ConfigureAwait(false);
        });
    }

    private InstanceRecord MarkHealth(InstanceRecord instance, string? problem)
    {
        var next = (instance.State, problem) switch
        {
            (InstanceState.Starting or InstanceState.Unhealthy, null) => instance with { State = InstanceState.Healthy, HealthySince = _time.GetUtcNow(), Health = "ok" },
            (InstanceState.Healthy, not null) => instance with { State = InstanceState.Unhealthy, HealthySince = null, Health = problem },
            (InstanceState.Failed, null) => instance with { State = InstanceState.Healthy, HealthySince = _time.GetUtcNow(), Health = "ok" },
            _ => instance with { Health = problem ?? "ok" },
        };
        if (next.State != instance.State)
        {
            Emit(next.State == InstanceState.Healthy ? EventKind.InstanceHealthy : EventKind.InstanceUnhealthy, instance.Workload, instance.Node, problem ?? $"version {instance.Version} healthy");
        }

        if (next != instance)
        {
            Store.Save(next);
            Signal();
        }

        return next;
    }
}
