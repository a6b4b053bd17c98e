using GeoStage.Core.Processes;
using GeoStage.Control.Events;
using GeoStage.Control.Instances;
using GeoStage.Control.Store;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>
    /// After a start or restart of the daemon: finishes or undoes interrupted topology changes, then takes over the instances that still run, found by their
    /// marker inside the nodes' namespaces, whatever the records say. A record whose process is gone is
    /// restarted at once; a marked process without a record, or a second one for the same instance (a
    /// daemon killed between starting a process and recording it), is ended: nothing runs twice.
    /// </summary>
    private async Task AdoptAsync(CancellationToken cancellationToken)
    {
        await ResumeOperationsAsync(cancellationToken).ConfigureAwait(false);
        var model = State.Model;
        var found = model.Nodes
            .SelectMany(n => InstanceRunner.Scan(LocalNames.Node(model.Name, n.Name)))
            .Where(p => p.Marker is not null)
            .GroupBy(p => p.Marker!)
            .ToDictionary(g => g.Key, g => g.ToList());
        var adopted = 0;
        foreach (var instance in Store.Instances())
        {
            var marker = InstanceRunner.MarkerOf(instance.Workload, instance.Node);
            if (!found.Remove(marker, out var processes))
            {
                if (instance.State != InstanceState.Backoff)
                {
                    Store.Save(instance with { State = InstanceState.Backoff, Pid = null, StartTicks = null, NextStartAt = _time.GetUtcNow(), LastExit = "not running when the daemon started" });
                    Emit(EventKind.InstanceLost, instance.Workload, instance.Node, "not running when the daemon started; restarting");
                }

                continue;
            }

            // An instance's children inherit its marker: only marked processes outside the kept one's tree are
            // duplicates. Without a live recorded process, keep the newest tree root.
            var roots = processes.Where(p => !processes.Any(q => q.Pid != p.Pid && ProcTable.DescendsFrom(p.Pid, q.Pid))).ToList();
            var keep = processes.FirstOrDefault(p => p.Pid == instance.Pid) is { Pid: > 0 } recorded ? recorded : roots.MaxBy(p => p.StartTicks);
            foreach (var extra in roots.Where(p => p.Pid != keep.Pid && !ProcTable.DescendsFrom(p.Pid, keep.Pid)))
            {
                await InstanceRunner.StopAsync(extra.Pid, extra.StartTicks, cancellationToken).ConfigureAwait(false);
                Emit(EventKind.InstanceDuplicate, instance.Workload, instance.Node, $"ended duplicate pid {extra.Pid}, kept pid {keep.Pid}");
            }

            if (instance.Pid != keep.Pid || instance.State == InstanceState.Backoff)
            {
                Store.Save(instance with { Pid = keep.Pid, StartTicks = keep.StartTicks, State = instance.State == InstanceState.Backoff ? InstanceState.Starting : instance.State, StartedAt = instance.StartedAt ?? _time.GetUtcNow() });
            }

            adopted++;
        }

        foreach (var (marker, processes) in found)
        {
            foreach (var stray in processes.Where(p => !processes.Any(q => q.Pid != p.Pid && ProcTable.DescendsFrom(p.Pid, q.Pid))))
            {
                await InstanceRunner.StopAsync(stray.Pid, stray.StartTicks, cancellationToken).ConfigureAwait(false);
                Emit(EventKind.InstanceOrphan, marker.Split('/')[0], marker.Split('/')[^1], $"ended pid {stray.Pid}: no record of it");
            }
        }

        Emit(EventKind.DaemonStarted, null, null, $"adopted {adopted} running instances");
    }
}
