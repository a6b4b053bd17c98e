using System.Diagnostics;
using System.Net;

namespace GeoStage.Bench;

/// <summary>The failover rounds: SIGKILL of the GeoStage balancer's leading replica, and of the keepalived master.</summary>
internal sealed class BalancerRounds(GeoStageCli cli, string env, string work)
{
    public const string Balancer = "front";
    public const string Client = "node03";
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    /// <summary>The daemon's restart backoff doubles per crash from 250 ms, is capped at 30 s and never resets: wait past the cap.</summary>
    private static readonly TimeSpan s_restartLimit = TimeSpan.FromSeconds(45);

    private string Ns(string node) => $"gs_{env}_{node}";

    public async Task<FailoverRound> GeoStageAsync(int index, CancellationToken cancellationToken)
    {
        var (leader, term, _) = await cli.LeaderAsync(env, Balancer, cancellationToken).ConfigureAwait(false);
        if (leader is null)
        {
            return new FailoverRound(index, null, null, null, 0, 0, null, "no leader in `geostage lb status --output json`");
        }

        var (pid, _) = await cli.InstanceAsync(env, "lb-" + Balancer, leader, cancellationToken).ConfigureAwait(false);
        if (pid is null)
        {
            return new FailoverRound(index, leader, null, null, 0, 0, null, $"no pid of lb-{Balancer} on {leader} in `geostage ps --output json`");
        }

        using var sampler = new VipSampler(Ns("master01"), Ns("master02"), IPAddress.Parse(BalancerFiles.Vip));
        sampler.Start();
        var killedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using (var process = Process.GetProcessById(pid.Value))
        {
            process.Kill();
        }

        var ms = await Probe.UntilAsync(Ns(Client), new IPEndPoint(IPAddress.Parse(BalancerFiles.Vip), 80), _ => true, clock, s_limit, cancellationToken).ConfigureAwait(false);

        // The next kill waits for the killed replica to run again and a leader of a later term.
        var restarted = await Probe.WaitAsync(
            async () => await cli.InstanceAsync(env, "lb-" + Balancer, leader, cancellationToken).ConfigureAwait(false) is ({ } p, "healthy" or "running") && p != pid,
            s_restartLimit,
            cancellationToken).ConfigureAwait(false);
        (string? Leader, long Term, double? Takeover) after = default;
        await Probe.WaitAsync(
            async () => (after = await cli.LeaderAsync(env, Balancer, cancellationToken).ConfigureAwait(false)).Leader is not null && after.Term > term,
            s_limit,
            cancellationToken).ConfigureAwait(false);
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        await sampler.StopAsync().ConfigureAwait(false);
        var failure = ms is null ? "no 200 through the VIP within 30 s"
            : !restarted ? $"the killed replica on {leader} was not running again within 45 s"
            : null;
        return new FailoverRound(index, leader, after.Leader, ms, sampler.Samples, sampler.Overlaps, after.Takeover, failure) { KilledAt = killedAt };
    }

    /// <summary>
    /// keepalived on master01 (priority 150) and master02 (100): wait for master01 to hold the VIP alone,
    /// SIGKILL its keepalived (and its VRRP child), then time until master02 answers through the VIP
    /// from site C. The sampler runs from the kill until 1 s after, then master01's keepalived is restarted.
    /// </summary>
    public async Task<FailoverRound> KeepalivedAsync(int index, double advertInt, Dictionary<string, Background> running, CancellationToken cancellationToken)
    {
        var vip = IPAddress.Parse(BalancerFiles.KeepalivedVip);
        foreach (var (node, self, peer, priority) in new[] { ("master01", "192.168.10.101", "192.168.10.102", 150), ("master02", "192.168.10.102", "192.168.10.101", 100) })
        {
            if (!running.TryGetValue(node, out var ka) || ka.HasExited)
            {
                running[node] = StartKeepalived(node, self, peer, priority, advertInt);
            }
        }

        var settled = await Probe.WaitAsync(
            () => Task.FromResult(InNamespace.Holds(Ns("master01"), vip) && !InNamespace.Holds(Ns("master02"), vip)),
            s_limit,
            cancellationToken).ConfigureAwait(false);
        if (!settled)
        {
            return new FailoverRound(index, "master01", null, null, 0, 0, null, "master01 did not hold the VIP alone within 30 s");
        }

        // Let the router learn master01 for the VIP before the kill, as in service.
        await Probe.UntilAsync(Ns(Client), new IPEndPoint(vip, 7000), b => b == "master01", Stopwatch.StartNew(), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        using var sampler = new VipSampler(Ns("master01"), Ns("master02"), vip);
        sampler.Start();
        var clock = Stopwatch.StartNew();
        running["master01"].Kill();
        var ms = await Probe.UntilAsync(Ns(Client), new IPEndPoint(vip, 7000), b => b == "master02", clock, s_limit, cancellationToken).ConfigureAwait(false);
        await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        await sampler.StopAsync().ConfigureAwait(false);
        running["master01"].Dispose();
        running.Remove("master01");
        return new FailoverRound(index, "master01", "master02", ms, sampler.Samples, sampler.Overlaps, null, ms is null ? "master02 did not answer through the VIP within 30 s" : null);
    }

    private Background StartKeepalived(string node, string self, string peer, int priority, double advertInt)
    {
        var tag = $"keepalived-{node}-{advertInt.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var config = Path.Combine(work, tag + ".conf");
        File.WriteAllText(config, BalancerFiles.Keepalived(node, self, peer, priority, advertInt));

        // A SIGKILLed keepalived leaves its pid files; a restart soon after can take the killed VRRP
        // child, not yet reaped, for a running daemon and exit ("daemon is already running").
        File.Delete(Path.Combine(work, tag + ".pid"));
        File.Delete(Path.Combine(work, tag + ".vrrp.pid"));
        return Background.Start(
            Ns(node),
            "/usr/sbin/keepalived",
            ["-n", "-l", "-D", "--vrrp", "-f", config, "-p", Path.Combine(work, tag + ".pid"), "-r", Path.Combine(work, tag + ".vrrp.pid")],
            Path.Combine(work, tag + ".log"));
    }
}
