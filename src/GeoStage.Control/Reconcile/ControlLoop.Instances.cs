using GeoStage.Control.Instances;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    private static readonly TimeSpan s_aliveMeansHealthy = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var workload in Store.Workloads())
        {
            await ReconcileAsync(workload, cancellationToken).ConfigureAwait(false);
        }

        await SuperviseTunnelsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReconcileAsync(WorkloadRecord workload, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var targets = workload.Status == WorkloadStatus.Stopped ? [] : workload.Spec.Select(State.Model);
        var instances = Store.Instances(workload.Name).ToDictionary(i => i.Node);

        foreach (var gone in instances.Values.Where(i => !targets.Any(t => t.Name == i.Node)).ToList())
        {
            await StopAsync(gone, cancellationToken).ConfigureAwait(false);
            Store.Delete(gone);
            instances.Remove(gone.Node);
            Emit("instance-stopped", gone.Workload, gone.Node, workload.Status == WorkloadStatus.Stopped ? "stopped" : "no longer placed on this node");
        }

        foreach (var node in targets.Where(t => !instances.ContainsKey(t.Name)))
        {
            instances[node.Name] = Start(workload, node, restarts: 0, cancellationToken);
        }

        foreach (var instance in instances.Values.ToList())
        {
            instances[instance.Node] = Supervise(workload, instance, targets, now, cancellationToken);
        }

        var generation = workload.Generation;
        workload = RollBackIfFailed(workload, instances.Values);
        if (workload.Generation != generation)
        {
            instances = Store.Instances(workload.Name).ToDictionary(i => i.Node);
        }

        await AdvanceRolloutAsync(workload, instances, targets, cancellationToken).ConfigureAwait(false);
        UpdateStatus(workload, instances.Values);
    }

    /// <summary>Starts an instance from the workload's current spec; the record is written before the process exists.</summary>
    private InstanceRecord Start(WorkloadRecord workload, NodeModel node, int restarts, CancellationToken cancellationToken)
    {
        var (workDir, log) = _runner.Paths(workload.Name, node.Name);
        var record = new InstanceRecord
        {
            Workload = workload.Name,
            Node = node.Name,
            Site = node.Site,
            Version = workload.Spec.Version,
            Generation = workload.Generation,
            State = InstanceState.Starting,
            Restarts = restarts,
            StartedAt = _time.GetUtcNow(),
            LogFile = log,
            WorkDir = workDir,
        };
        Store.Save(record);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (process, pid, ticks) = _runner.Start(State.Model, workload.Spec, node, workload.Spec.Select(State.Model));
            _children[(workload.Name, node.Name)] = process;
            record = record with { Pid = pid, StartTicks = ticks };
            Emit("instance-started", workload.Name, node.Name, $"version {workload.Spec.Version}, pid {pid}");
        }
        catch (Exception e) when (e is ToolException or IOException or System.ComponentModel.Win32Exception)
        {
            record = record with { State = InstanceState.Backoff, NextStartAt = _time.GetUtcNow() + Backoff(restarts + 1), LastExit = $"could not start: {e.Message}" };
            Emit("instance-failed", workload.Name, node.Name, record.LastExit);
        }

        Store.Save(record);
        return record;
    }

    private InstanceRecord Supervise(WorkloadRecord workload, InstanceRecord instance, IReadOnlyList<NodeModel> targets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var node = targets.First(t => t.Name == instance.Node);
        if (instance.State == InstanceState.Backoff)
        {
            return now >= instance.NextStartAt ? Start(workload, node, instance.Restarts, cancellationToken) : instance;
        }

        if (!IsAlive(instance))
        {
            var exit = ExitOf(instance);
            var restarts = instance.Restarts + 1;
            var delay = Backoff(restarts);
            var crashed = instance with { State = InstanceState.Backoff, Restarts = restarts, Pid = null, StartTicks = null, NextStartAt = now + delay, LastExit = exit, HealthySince = null };
            Store.Save(crashed);
            Emit("instance-crashed", instance.Workload, instance.Node, $"{exit}; restart {restarts} in {delay.TotalMilliseconds:0} ms");
            return crashed;
        }

        if (instance.State == InstanceState.Starting && instance.Generation == workload.Generation && now - instance.StartedAt > workload.Spec.HealthTimeout)
        {
            var failed = instance with { State = InstanceState.Failed };
            Store.Save(failed);
            Emit("instance-unhealthy", instance.Workload, instance.Node, $"not healthy within {workload.Spec.HealthTimeout.TotalSeconds:0.#} s: {instance.Health ?? "no answer"}");
            return failed;
        }

        if (workload.Spec.Health is null)
        {
            if (instance.State == InstanceState.Starting && now - instance.StartedAt >= s_aliveMeansHealthy)
            {
                return MarkHealth(instance, null);
            }

            return instance;
        }

        ScheduleCheck(workload, instance, node, now);
        return instance;
    }

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
        var ns = LocalNames.Node(model.Name, node.Name);
        var pid = instance.Pid;
        _ = Task.Run(async () =>
        {
            var problem = await HealthChecker.CheckAsync(health, ns, model, workload.Spec, node, instances, CancellationToken.None).ConfigureAwait(false);
            await Post(() =>
            {
                _checking.Remove(key);
                if (Store.Workload(key.Workload) is not null && Store.Instances(key.Workload).FirstOrDefault(i => i.Node == key.Node) is { } current && current.Pid == pid)
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
            Emit(next.State == InstanceState.Healthy ? "instance-healthy" : "instance-unhealthy", instance.Workload, instance.Node, problem ?? $"version {instance.Version} healthy");
        }

        if (next != instance)
        {
            Store.Save(next);
            Signal();
        }

        return next;
    }

    private static bool IsAlive(InstanceRecord instance) =>
        instance.Pid is { } pid && instance.StartTicks is { } ticks && ProcTable.IsAlive(pid, ticks);

    private string ExitOf(InstanceRecord instance)
    {
        if (_children.Remove((instance.Workload, instance.Node), out var process))
        {
            using (process)
            {
                if (process.HasExited)
                {
                    return process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128}" : $"exited with code {process.ExitCode}";
                }
            }
        }

        return instance.Pid is null ? "process missing" : "exited (adopted after a daemon restart: exit code unknown)";
    }

    private async Task StopAsync(InstanceRecord instance, CancellationToken cancellationToken)
    {
        if (instance.Pid is { } pid && instance.StartTicks is { } ticks)
        {
            await InstanceRunner.StopAsync(pid, ticks, cancellationToken).ConfigureAwait(false);
        }

        if (_children.Remove((instance.Workload, instance.Node), out var process))
        {
            process.Dispose();
        }
    }

    internal static TimeSpan Backoff(int restarts) =>
        TimeSpan.FromMilliseconds(Math.Min(s_maxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Max(0, restarts - 1))));
}
