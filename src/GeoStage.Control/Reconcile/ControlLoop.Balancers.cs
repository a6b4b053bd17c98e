using GeoStage.Control.Events;
using System.Collections.Concurrent;
using GeoStage.Balancer.Replica;
using GeoStage.Control.Balancers;
using GeoStage.Control.Store;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>The latest report of every balancer replica, by balancer then node.</summary>
    public ConcurrentDictionary<(string Balancer, string Node), ReplicaReport> Reports { get; } = new();

    /// <summary>When and why each balancer last lost its leader (fenced by the daemon, or reported stepping down).</summary>
    public ConcurrentDictionary<string, LeaderLoss> LeaderLost { get; } = new();

    /// <summary>Why each balancer's current leader leads: the loss it took over from, or that it was the first.</summary>
    public ConcurrentDictionary<string, string> LeaderWhy { get; } = new();

    /// <summary>From losing the old leader to the new one serving, per balancer, for the last failover.</summary>
    public ConcurrentDictionary<string, TimeSpan> LastFailover { get; } = new();

    /// <summary>
    /// Takes a replica's report and emits what changed: a new leader (and the failover's duration), a
    /// leader stepping down, and backends entering or leaving the leader's rotation within a term.
    /// Concurrency: reports of one replica come one after another (it posts them in a loop); different
    /// replicas touch different keys.
    /// </summary>
    public void Record(string balancer, ReplicaReport report)
    {
        var workload = BalancerWorkloads.WorkloadName(balancer);
        var previous = Reports.GetValueOrDefault((balancer, report.Node));
        var steppedDown = previous is { Leader: true } && (!report.Leader || previous.Term != report.Term);
        var newLeader = report.Leader && (previous is null || !previous.Leader || previous.Term != report.Term);
        if (steppedDown)
        {
            LoseLeader(balancer, previous!.Term, new(report.Since, $"{report.Node} stepped down from term {previous.Term}: {report.SteppedDown ?? "no reason given"}"));
        }

        if (newLeader)
        {
            var lost = LeaderLost.TryRemove(balancer, out var loss) ? loss : null;
            if (lost is not null && report.Since > lost.At)
            {
                LastFailover[balancer] = report.Since - lost.At;
            }

            LeaderWhy[balancer] = lost is not null ? $"took over after {lost.Why}"
                : report.Term == 1 ? "first leader of the balancer"
                : $"won the free lease in term {report.Term}";
        }

        // Published after the failover's duration, so that whoever sees this leader's report sees that too.
        Reports[(balancer, report.Node)] = report;
        if (steppedDown)
        {
            Emit(EventKind.BalancerFollower, workload, report.Node, $"stepped down from {balancer} (term {previous!.Term}): {report.SteppedDown ?? "no reason given"}");
        }

        if (newLeader)
        {
            Emit(EventKind.BalancerLeader, workload, report.Node, $"leads {balancer} in term {report.Term}; serving {report.LastTakeoverMs:0} ms after winning the lease, {report.Backends.Count} backend(s)");
        }

        if (!report.Leader || newLeader)
        {
            return;
        }

        var before = previous!.Backends.Select(b => b.Endpoint).ToHashSet(StringComparer.Ordinal);
        var now = report.Backends.Select(b => b.Endpoint).ToHashSet(StringComparer.Ordinal);
        var added = now.Where(e => !before.Contains(e)).Order(StringComparer.Ordinal).ToList();
        var removed = before.Where(e => !now.Contains(e)).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
        {
            Emit(EventKind.BalancerBackendAdded, workload, report.Node, $"{balancer}: {string.Join(", ", added)} joined the rotation ({now.Count} backends)");
        }

        if (removed.Count > 0)
        {
            Emit(EventKind.BalancerBackendRemoved, workload, report.Node, $"{balancer}: {string.Join(", ", removed)} left the rotation ({now.Count} backends)");
        }
    }

    /// <summary>
    /// Notes that the leader of <paramref name="term"/> is gone. Reports cross: when the next leader's came
    /// first, this loss is what it took over from; otherwise the next leader will find it.
    /// </summary>
    private void LoseLeader(string balancer, long term, LeaderLoss loss)
    {
        var successor = Reports.Values.FirstOrDefault(r => r.Balancer == balancer && r.Leader && r.Term > term);
        if (successor is null)
        {
            LeaderLost[balancer] = loss;
            return;
        }

        if (successor.Since > loss.At)
        {
            LastFailover[balancer] = successor.Since - loss.At;
        }

        LeaderWhy[balancer] = $"took over after {loss.Why}";
    }

    /// <summary>
    /// A replica stopped by the daemon (balancer stopped, node removed or no longer placed) leaves lb status;
    /// when it led and did not report stepping down, its leadership ends here.
    /// </summary>
    private void ReplicaStopped(WorkloadRecord workload, InstanceRecord instance, string why)
    {
        if (BalancerWorkloads.Of(workload.Spec) is not { } balancer || !Reports.TryRemove((balancer.Name, instance.Node), out var last))
        {
            return;
        }

        if (last.Leader)
        {
            LoseLeader(balancer.Name, last.Term, new(_time.GetUtcNow(), $"{instance.Node}'s replica was stopped ({why})"));
        }
    }

    /// <summary>
    /// How long an instance of <paramref name="workload"/> must stay out of rotation before it stops: the
    /// slowest refresh of any balancer in front of it, plus a margin; zero when none fronts it.
    /// </summary>
    private TimeSpan DrainDelay(string workload)
    {
        var fronting = Store.Workloads()
            .Where(w => w.Status != WorkloadStatus.Stopped)
            .Select(w => BalancerWorkloads.Of(w.Spec))
            .Where(b => b is not null && b.Listeners.Any(l => l.Backend == workload))
            .ToList();
        return fronting.Count == 0 ? TimeSpan.Zero : fronting.Max(b => b!.HealthInterval) + TimeSpan.FromMilliseconds(300);
    }

    /// <summary>
    /// Splits instances to stop into those that may stop now and those that must first leave the
    /// balancers' rotation (marked draining here, stopped on a later tick).
    /// </summary>
    private List<InstanceRecord> ReadyToStop(string workload, IEnumerable<InstanceRecord> stopping)
    {
        var delay = DrainDelay(workload);
        var now = _time.GetUtcNow();
        var ready = new List<InstanceRecord>();
        foreach (var instance in stopping)
        {
            if (delay == TimeSpan.Zero || instance.Handle is null || (instance.State == InstanceState.Draining && now >= instance.DrainUntil))
            {
                ready.Add(instance);
            }
            else if (instance.State != InstanceState.Draining)
            {
                Store.Save(instance with { State = InstanceState.Draining, DrainUntil = now + delay, HealthySince = null });
                Emit(EventKind.InstanceDraining, workload, instance.Node, $"out of the balancers' rotation; stops in {delay.TotalMilliseconds:0} ms");
            }
        }

        return ready;
    }

    /// <summary>Removes the balancer's VIP from every replica node but <paramref name="keeper"/>; returns the nodes that had it.</summary>
    public async Task<IReadOnlyList<string>> FenceOthersAsync(string balancerName, string keeper, CancellationToken cancellationToken)
    {
        var workload = Store.Workload(BalancerWorkloads.WorkloadName(balancerName));
        if (workload is null || BalancerWorkloads.Of(workload.Spec) is not { } balancer)
        {
            return [];
        }

        // Every node of the site, not only today's replicas (one placed elsewhere before may still hold it):
        // read in-process, and released in parallel, since the new leader waits for this before serving.
        var model = State.Model;
        var released = await Task.WhenAll(model.Nodes.Where(n => n.Site == balancer.Site && n.Name != keeper).Select(async node =>
            await _runtime.FenceVipAsync(model, node.Name, balancer.Vip, cancellationToken).ConfigureAwait(false) ? node.Name : null)).ConfigureAwait(false);
        var removed = released.OfType<string>().ToList();

        if (removed.Count > 0)
        {
            LeaderLost.TryAdd(balancerName, new(_time.GetUtcNow(), $"the lease of {string.Join(", ", removed)} lapsed while it held the VIP; fenced"));
            Emit(EventKind.BalancerFenced, workload.Name, string.Join(",", removed), $"VIP {balancer.Vip} taken off before {keeper} takes over");
        }

        return removed;
    }

    /// <summary>
    /// A balancer replica that died may have held the VIP: its address comes off the dead node's
    /// interface first, and only then is the lease freed, so the next leader never overlaps it.
    /// </summary>
    private async Task FenceAsync(WorkloadModel workload, string node, string? exit, CancellationToken cancellationToken)
    {
        if (BalancerWorkloads.Of(workload) is not { } balancer)
        {
            return;
        }

        // Called from the loop and from the process's exit, possibly both for one death: only the call that
        // revokes the lease in the term the dead node held it reports the loss.
        var lease = BalancerReplica.LeaseName(balancer.Name);
        if (Leases.Get(lease) is not { Holder: { } holder } held || holder != node)
        {
            return;
        }

        var lost = _time.GetUtcNow();
        await _runtime.FenceVipAsync(State.Model, node, balancer.Vip, cancellationToken).ConfigureAwait(false);

        if (Leases.Revoke(lease, node, held.Term) is null)
        {
            return;
        }

        // Before anyone can have taken the lease and reported leading: the next leader finds this loss.
        LeaderLost[balancer.Name] = new(lost, $"{node}'s replica died ({exit ?? "its process ended"}); fenced");
        Reports.TryRemove((balancer.Name, node), out _);
        Emit(EventKind.BalancerFenced, workload.Name, node, $"leader of {balancer.Name} died: VIP {balancer.Vip} removed from its interface, lease freed");
    }

    /// <summary>
    /// A replica's process ended: fences it at once if it led, without waiting for the loop's next turn
    /// (a tick may be busy with health checks). Runs on the thread that saw the exit.
    /// </summary>
    private async Task FenceOnExitAsync(WorkloadModel workload, string node, Task<string> exited, CancellationToken cancellationToken)
    {
        try
        {
            await FenceAsync(workload, node, await exited.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or Core.Processes.ToolException or IOException)
        {
            // The loop fences on its next turn (daemon stopping, process already disposed, ip failed).
        }
    }
}

/// <summary>A balancer losing its leader: when, and why in words.</summary>
public sealed record LeaderLoss(DateTimeOffset At, string Why);
