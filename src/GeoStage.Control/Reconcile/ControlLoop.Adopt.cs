using GeoStage.Core.Processes;
using GeoStage.Control.Events;
using GeoStage.Control.Store;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>
    /// After a start or restart of the daemon: finishes or undoes interrupted topology changes, then takes over the instances that still run, found by their
    /// marker inside the nodes' namespaces, whatever the records say. A record whose process is gone is
    /// restarted at once; a marked instance without a record, or a second one for the same instance (a
    /// daemon killed between starting an instance and recording it), is ended: nothing runs twice.
    /// </summary>
    private async Task AdoptAsync(CancellationToken cancellationToken)
    {
        await ResumeOperationsAsync(cancellationToken).ConfigureAwait(false);
        var model = State.Model;
        var found = _runtime.Scan(model)
            .GroupBy(p => (p.Workload, p.Node))
            .ToDictionary(g => g.Key, g => g.ToList());
        var adopted = 0;
        foreach (var instance in Store.Instances())
        {
            if (!found.Remove((instance.Workload, instance.Node), out var running))
            {
                if (instance.State != InstanceState.Backoff)
                {
                    Store.Save(instance with { State = InstanceState.Backoff, Handle = null, NextStartAt = _time.GetUtcNow(), LastExit = "not running when the daemon started" });
                    Emit(EventKind.InstanceLost, instance.Workload, instance.Node, "not running when the daemon started; restarting");
                }

                continue;
            }

            // Keep the recorded one when it runs, else the one started last; end the others.
            var keep = running.FirstOrDefault(p => p.Handle == instance.Handle) ?? running.MaxBy(p => p.Started)!;
            foreach (var extra in running.Where(p => p != keep))
            {
                await _runtime.StopAsync(extra.Handle, cancellationToken).ConfigureAwait(false);
                Emit(EventKind.InstanceDuplicate, instance.Workload, instance.Node, $"ended duplicate {extra.Handle}, kept {keep.Handle}");
            }

            if (instance.Handle != keep.Handle || instance.State == InstanceState.Backoff)
            {
                Store.Save(instance with { Handle = keep.Handle, State = instance.State == InstanceState.Backoff ? InstanceState.Starting : instance.State, StartedAt = instance.StartedAt ?? _time.GetUtcNow() });
            }

            adopted++;
        }

        foreach (var stray in found.Values.SelectMany(f => f))
        {
            await _runtime.StopAsync(stray.Handle, cancellationToken).ConfigureAwait(false);
            Emit(EventKind.InstanceOrphan, stray.Workload, stray.Node, $"ended {stray.Handle}: no record of it");
        }

        Emit(EventKind.DaemonStarted, null, null, $"adopted {adopted} running instances");
    }
}
