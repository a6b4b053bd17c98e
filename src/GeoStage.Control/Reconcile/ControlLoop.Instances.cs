using GeoStage.Control.Events;
using GeoStage.Control.Balancers;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.Runtime;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    private static readonly TimeSpan s_aliveMeansHealthy = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private const int SpawnParallelism = 4;
    private const int CrashesFailARollout = 3;
    private static readonly TimeSpan s_goodRun = TimeSpan.FromSeconds(10);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await ReconcileWorkloadsAsync(cancellationToken).ConfigureAwait(false);
        await RepairDevicesAsync(cancellationToken).ConfigureAwait(false);
        await SuperviseTunnelsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReconcileWorkloadsAsync(CancellationToken cancellationToken)
    {
        foreach (var workload in Store.Workloads())
        {
            await ReconcileAsync(workload, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReconcileAsync(WorkloadRecord workload, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var targets = workload.Status == WorkloadStatus.Stopped ? [] : workload.Spec.Select(State.Model);
        var instances = Store.Instances(workload.Name).ToDictionary(i => i.Node);

        var gone = ReadyToStop(workload.Name, instances.Values.Where(i => !targets.Any(t => t.Name == i.Node)).ToList());
        await StopManyAsync(gone, cancellationToken).ConfigureAwait(false);
        foreach (var instance in gone)
        {
            Store.Delete(instance);
            instances.Remove(instance.Node);
            var why = workload.Status == WorkloadStatus.Stopped ? "stopped"
                : State.Model.Nodes.All(n => n.Name != instance.Node) ? "its node was removed"
                : "no longer placed on this node";
            ReplicaStopped(workload, instance, why);
            Emit(EventKind.InstanceStopped, instance.Workload, instance.Node, why);
        }

        // Those still draining stop on a later tick; the rest of this one is about the placed nodes only.
        foreach (var leaving in instances.Values.Where(i => !targets.Any(t => t.Name == i.Node)).ToList())
        {
            instances.Remove(leaving.Node);
        }

        foreach (var started in StartMany(workload, [.. targets.Where(t => !instances.ContainsKey(t.Name)).Select(t => (t, 0, (string?)null))], cancellationToken))
        {
            instances[started.Node] = started;
        }

        foreach (var instance in instances.Values.Where(i => targets.Any(t => t.Name == i.Node)).ToList())
        {
            var supervised = Supervise(workload, instance, targets, now, cancellationToken);
            if (supervised.Handle is null && instance.Handle is not null)
            {
                await FenceAsync(workload.Spec, supervised.Node, supervised.LastExit, cancellationToken).ConfigureAwait(false);
            }

            instances[instance.Node] = supervised;
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

    /// <summary>Starts the instance again where <paramref name="before"/> ran: its restarts and last exit carry over, so
    /// that ps still says why it was restarted once it runs again.</summary>
    private InstanceRecord Start(WorkloadRecord workload, NodeModel node, InstanceRecord before, CancellationToken cancellationToken) =>
        StartMany(workload, [(node, before.Restarts, before.LastExit)], cancellationToken)[0];

    /// <summary>
    /// Starts instances from the workload's current spec: every record is written before its process exists,
    /// the processes are spawned in parallel (a spawn costs a fork and two execs), and the outcomes are
    /// recorded in order on the loop.
    /// </summary>
    private List<InstanceRecord> StartMany(WorkloadRecord workload, IReadOnlyList<(NodeModel Node, int Restarts, string? LastExit)> starts, CancellationToken cancellationToken)
    {
        if (starts.Count == 0)
        {
            return [];
        }

        var intents = starts.Select(s =>
        {
            var paths = _runtime.PathsOf(workload.Name, s.Node.Name);
            var intent = new InstanceRecord
            {
                Workload = workload.Name,
                Node = s.Node.Name,
                Site = s.Node.Site,
                Version = workload.Spec.Version,
                Generation = workload.Generation,
                State = InstanceState.Starting,
                Restarts = s.Restarts,
                LastExit = s.LastExit,
                StartedAt = _time.GetUtcNow(),
                LogFile = paths.LogFile,
                WorkDir = paths.WorkDir,
            };
            Store.Save(intent);
            return intent;
        }).ToList();

        var model = State.Model;
        var placed = workload.Spec.Select(model);
        var spawned = new (StartedInstance? Started, Exception? Error)[starts.Count];
        Parallel.For(0, starts.Count, new ParallelOptions { MaxDegreeOfParallelism = SpawnParallelism, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                spawned[i] = (_runtime.Start(model, workload.Spec, starts[i].Node, placed), null);
            }
            catch (Exception e) when (e is ToolException or IOException or System.ComponentModel.Win32Exception)
            {
                spawned[i] = (null, e);
            }
        });
        PauseHere("deploy.spawned");

        var records = new List<InstanceRecord>();
        for (var i = 0; i < starts.Count; i++)
        {
            var record = intents[i];
            if (spawned[i].Started is { } started)
            {
                _children[(workload.Name, record.Node)] = started.Exited;

                // A crash is handled at once, not at the next tick; a balancer's leader is fenced right here.
                var (spec, node) = (workload.Spec, record.Node);
                _ = started.Exited.ContinueWith(
                    exited =>
                    {
                        Signal();
                        if (BalancerWorkloads.Of(spec) is not null)
                        {
                            _ = FenceOnExitAsync(spec, node, exited, cancellationToken);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                if (BalancerWorkloads.Of(spec) is { } balancer)
                {
                    WarmFencePath(balancer);
                }

                record = record with { Handle = started.Handle };
                Emit(EventKind.InstanceStarted, workload.Name, record.Node, $"version {workload.Spec.Version}, {started.Handle}");
            }
            else
            {
                record = record with { State = InstanceState.Backoff, NextStartAt = _time.GetUtcNow() + Backoff(record.Restarts + 1), LastExit = $"could not start: {spawned[i].Error?.Message}" };
                Emit(EventKind.InstanceFailed, workload.Name, record.Node, record.LastExit);
            }

            Store.Save(record);
            records.Add(record);
        }

        return records;
    }

    private InstanceRecord Supervise(WorkloadRecord workload, InstanceRecord instance, IReadOnlyList<NodeModel> targets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var node = targets.First(t => t.Name == instance.Node);
        if (instance.State == InstanceState.Backoff)
        {
            return now >= instance.NextStartAt ? Start(workload, node, instance, cancellationToken) : instance;
        }

        if (!IsAlive(instance))
        {
            var exit = ExitOf(instance);
            var restarts = instance.Restarts + 1;
            if (workload.Previous is not null && instance.Generation == workload.Generation && restarts >= CrashesFailARollout)
            {
                // A new version that keeps crashing never passes its health gate: fail it so the rollout rolls back.
                var gaveUp = instance with { State = InstanceState.Failed, Restarts = restarts, Handle = null, LastExit = exit, Health = $"crashed {restarts} times" };
                Store.Save(gaveUp);
                Emit(EventKind.InstanceUnhealthy, instance.Workload, instance.Node, $"version {instance.Version} crashed {restarts} times during the rollout: {exit}");
                return gaveUp;
            }

            // A crash after a good run starts the backoff over; only crashes in a row make it grow.
            var delay = instance.HealthySince is { } healthy && now - healthy >= s_goodRun ? Backoff(1) : Backoff(restarts);
            var crashed = instance with { State = InstanceState.Backoff, Restarts = restarts, Handle = null, NextStartAt = now + delay, LastExit = exit, HealthySince = null };
            Store.Save(crashed);
            Emit(EventKind.InstanceCrashed, instance.Workload, instance.Node, $"{exit}; restart {restarts} in {delay.TotalMilliseconds:0} ms");
            return crashed;
        }

        if (instance.State == InstanceState.Draining)
        {
            return instance;
        }

        if (instance.State == InstanceState.Starting && instance.Generation == workload.Generation && now - instance.StartedAt > workload.Spec.HealthTimeout)
        {
            var failed = instance with { State = InstanceState.Failed };
            Store.Save(failed);
            Emit(EventKind.InstanceUnhealthy, instance.Workload, instance.Node, $"not healthy within {workload.Spec.HealthTimeout.TotalSeconds:0.#} s: {instance.Health ?? "no answer"}");
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

    private bool IsAlive(InstanceRecord instance) => instance.Handle is { } handle && _runtime.IsAlive(handle);

    private string ExitOf(InstanceRecord instance)
    {
        // Gone to the runtime may be a moment before its exit is known (a zombie not yet reaped).
        if (_children.Remove((instance.Workload, instance.Node), out var exited) && exited.Wait(TimeSpan.FromSeconds(1)))
        {
            return exited.Result;
        }

        return instance.Handle is null ? "process missing" : "exited (adopted after a daemon restart: exit code unknown)";
    }

    private Task StopAsync(InstanceRecord instance, CancellationToken cancellationToken) => StopManyAsync([instance], cancellationToken);

    /// <summary>Ends instances' processes, all at once; the loop's own bookkeeping follows on the loop.</summary>
    private async Task StopManyAsync(IReadOnlyList<InstanceRecord> instances, CancellationToken cancellationToken)
    {
        await Task.WhenAll(instances
            .Where(i => i.Handle is not null)
            .Select(i => _runtime.StopAsync(i.Handle!, cancellationToken))).ConfigureAwait(false);
        foreach (var instance in instances)
        {
            _children.Remove((instance.Workload, instance.Node));
        }
    }

    internal static TimeSpan Backoff(int restarts) =>
        TimeSpan.FromMilliseconds(Math.Min(s_maxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Max(0, restarts - 1))));
}
