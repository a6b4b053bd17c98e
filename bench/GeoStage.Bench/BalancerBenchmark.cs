using System.Net;

namespace GeoStage.Bench;

/// <summary>Everything the balancer benchmark measured; Failures lists what went wrong, in order.</summary>
internal sealed record BalancerResult
{
    public required MachineInfo Machine { get; init; }
    public List<WrkResult> Throughput { get; } = [];

    /// <summary>Memory of the GeoStage leader's replica and of HAProxy after the throughput runs, by target.</summary>
    public Dictionary<string, ProcessMemory> ProxyMemory { get; } = [];
    public List<FailoverRound> GeoStage { get; } = [];
    public SortedDictionary<double, List<FailoverRound>> Keepalived { get; } = [];
    public List<string> Failures { get; } = [];
}

/// <summary>
/// The load balancer benchmark on the seed: throughput of the GeoStage balancer against HAProxy (TCP
/// mode) over the same nginx backends, then failover of the GeoStage balancer and of keepalived (VRRP)
/// after a SIGKILL of the leader, with both replicas' VIP ownership sampled throughout.
/// </summary>
internal static class BalancerBenchmark
{
    public const int Rounds = 20;
    public const int ThroughputRepeats = 3;

    /// <summary>Target for the median failover of the GeoStage balancer, kill → first 200 from site C.</summary>
    public const int FailoverTargetMs = 1000;
    public static readonly double[] AdvertIntervals = [1, 0.1];
    private static readonly string[] s_tools = ["wrk", "haproxy", "keepalived", "nginx"];

    public static Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        BenchRun.RunAsync(runId => ["lb" + runId], (context, ct) => MeasureAsync(context, settings, ct), cancellationToken);

    private static async Task<int> MeasureAsync(BenchContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        if (s_tools.FirstOrDefault(t => ChildProcess.Which(t) is null) is { } missing)
        {
            Console.Error.WriteLine($"error: {missing} is not installed; apt-get install -y --no-install-recommends wrk haproxy keepalived nginx-light");
            return BenchRun.CannotRun;
        }

        var env = "lb" + context.RunId;
        var state = Path.Combine(context.Work, "state");
        Directory.CreateDirectory(state);
        var cli = new GeoStageCli(context.Repo, state);
        var result = new BalancerResult { Machine = await MachineInfo.ReadAsync(TimeProvider.System, cancellationToken).ConfigureAwait(false) };
        var seed = Path.Combine(context.Work, env + ".yaml");
        await File.WriteAllTextAsync(seed, BalancerFiles.Seed(context.Repo, env), cancellationToken).ConfigureAwait(false);
        try
        {
            await MeasureOnAsync(cli, context.Repo, env, seed, context.Work, result, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            var down = await cli.DownAsync(env, CancellationToken.None).ConfigureAwait(false);
            if (!down.Ok)
            {
                result.Failures.Add(down.Failure);
            }
        }

        result.Failures.AddRange(TargetMisses(result.GeoStage));
        var section = BalancerMarkdown.Section(result);
        Console.WriteLine(section);
        if (settings.WritePath is { } path)
        {
            BenchmarksFile.WriteSection(path, "balancer", section);
        }

        var roundFailed = result.GeoStage.Concat(result.Keepalived.Values.SelectMany(k => k)).Any(f => f.Failure is not null);
        var ok = result.Failures.Count == 0 && !roundFailed;

        // The later rounds above follow a warm-up of many minutes; the failover users meet first is measured apart.
        if (settings.FreshEnvironments > 0)
        {
            var first = await BalancerFirstFailover.MeasureEnvironmentsAsync(context, settings.FreshEnvironments, cancellationToken).ConfigureAwait(false);
            ok &= BalancerFirstFailover.Write(first, settings) == BenchRun.Ok;
        }

        return ok ? BenchRun.Ok : BenchRun.Failed;
    }

    /// <summary>
    /// <c>geostage up</c> of <paramref name="seed"/>, then web and front deployed, until node03 gets a 200 through
    /// the VIP; false, with what failed in <paramref name="failures"/>, when a step did not succeed.
    /// </summary>
    public static async Task<bool> UpAndDeployAsync(GeoStageCli cli, string repo, string env, string seed, string work, List<string> failures, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"[balancer] geostage up {env}…");
        var (up, _) = await cli.UpAsync(seed, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        if (!Check(up, failures))
        {
            return false;
        }

        var web = Path.Combine(work, "web.yaml");
        await File.WriteAllTextAsync(web, BalancerFiles.Web(Path.Combine(work, "web")), cancellationToken).ConfigureAwait(false);
        var front = Path.Combine(work, "front.yaml");
        await File.WriteAllTextAsync(front, BalancerFiles.Front(repo), cancellationToken).ConfigureAwait(false);
        if (!Check(await cli.DeployAsync(env, web, cancellationToken).ConfigureAwait(false), failures)
            || !Check(await cli.DeployAsync(env, front, cancellationToken).ConfigureAwait(false), failures))
        {
            return false;
        }

        var vip = new IPEndPoint(IPAddress.Parse(BalancerFiles.Vip), 80);
        if (!await Probe.WaitAsync(async () => await InNamespace.GetAsync($"gs_{env}_{BalancerRounds.Client}", vip, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false) is not null, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
        {
            failures.Add($"{env}: no 200 through the VIP from node03 within 60 s of deploying the balancer");
            return false;
        }

        return true;
    }

    private static async Task MeasureOnAsync(GeoStageCli cli, string repo, string env, string seed, string work, BalancerResult result, CancellationToken cancellationToken)
    {
        if (!await UpAndDeployAsync(cli, repo, env, seed, work, result.Failures, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await ThroughputAsync(cli, env, work, result, cancellationToken).ConfigureAwait(false);
        var rounds = new BalancerRounds(cli, env, work);
        for (var i = 1; i <= Rounds; i++)
        {
            var round = await rounds.GeoStageAsync(i, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"[balancer] geostage failover {i}: {round}");
            result.GeoStage.Add(round);
        }

        foreach (var advert in AdvertIntervals)
        {
            var running = new Dictionary<string, Background>();
            var list = result.Keepalived[advert] = [];
            try
            {
                for (var i = 1; i <= Rounds; i++)
                {
                    var round = await rounds.KeepalivedAsync(i, advert, running, cancellationToken).ConfigureAwait(false);
                    Console.Error.WriteLine($"[balancer] keepalived advert_int {advert} failover {i}: {round}");
                    list.Add(round);
                }
            }
            finally
            {
                foreach (var ka in running.Values)
                {
                    ka.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// wrk against the VIP and against HAProxy, from site C (through the tunnel) and from lb (same LAN),
    /// small requests and bulk, <see cref="ThroughputRepeats"/> times with the order of the two targets
    /// swapped each time, so neither always runs first on a machine whose load drifts.
    /// </summary>
    private static async Task ThroughputAsync(GeoStageCli cli, string env, string work, BalancerResult result, CancellationToken cancellationToken)
    {
        var config = Path.Combine(work, "haproxy.cfg");
        await File.WriteAllTextAsync(config, BalancerFiles.Haproxy(), cancellationToken).ConfigureAwait(false);
        using var haproxy = Background.Start($"gs_{env}_{BalancerFiles.HaproxyNode}", "/usr/sbin/haproxy", ["-db", "-f", config], Path.Combine(work, "haproxy.log"));
        var haproxyTarget = new IPEndPoint(IPAddress.Parse(BalancerFiles.HaproxyAddress), BalancerFiles.HaproxyPort);
        if (!await Probe.WaitAsync(async () => await InNamespace.GetAsync($"gs_{env}_lb", haproxyTarget, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false) is not null, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false))
        {
            result.Failures.Add($"haproxy did not answer on {haproxyTarget} within 20 s: {File.ReadAllText(Path.Combine(work, "haproxy.log"))}");
        }

        // `ip netns exec` execs haproxy, so the Background's pid is haproxy's own.
        var (leader, _, _) = await cli.LeaderAsync(env, BalancerRounds.Balancer, cancellationToken).ConfigureAwait(false);
        var leaderPid = leader is null ? null : (await cli.InstanceAsync(env, "lb-" + BalancerRounds.Balancer, leader, cancellationToken).ConfigureAwait(false)).Pid;
        (string Name, string Url, int? Pid)[] targets = [("GeoStage", $"http://{BalancerFiles.Vip}:80", leaderPid), ("HAProxy", $"http://{haproxyTarget}", haproxy.Pid)];

        // Steady state is measured: one unrecorded run per target first. Without it GeoStage's first run,
        // straight after the deploy, was a third slower than the next two (8156 against 12762 and 11602
        // requests/s, twice); a cold replica on loopback was not, so it is the freshly started environment.
        foreach (var (target, url, _) in targets)
        {
            Console.Error.WriteLine($"[balancer] warm-up: wrk from lb to {target}…");
            await Wrk.RunAsync($"gs_{env}_lb", "lb", target, WrkLoad.Requests, url, null, cancellationToken).ConfigureAwait(false);
        }

        for (var repeat = 0; repeat < ThroughputRepeats; repeat++)
        {
            foreach (var load in (WrkLoad[])[WrkLoad.Requests, WrkLoad.Bulk])
            {
                foreach (var client in new[] { BalancerRounds.Client, "lb" })
                {
                    foreach (var (target, url, pid) in repeat % 2 == 0 ? targets : targets.Reverse())
                    {
                        Console.Error.WriteLine($"[balancer] wrk {load.Name} from {client} to {target} ({repeat + 1}/{ThroughputRepeats})…");
                        var run = await Wrk.RunAsync($"gs_{env}_{client}", client, target, load, url, pid, cancellationToken).ConfigureAwait(false);
                        Console.Error.WriteLine($"[balancer]   {run}");
                        result.Throughput.Add(run);
                        if (run.Failure is { } failure)
                        {
                            result.Failures.Add(failure);
                        }
                    }
                }
            }
        }

        foreach (var (target, _, pid) in targets)
        {
            if (pid is { } p)
            {
                result.ProxyMemory[target] = ProcMemory.Sum([p]);
            }
        }
    }

    /// <summary>
    /// The failover targets, checked here rather than in a test: the time is wall time, which a test on a
    /// loaded machine cannot assert (the README demo's gap and BalancerTests used to). Median kill → 200
    /// at most <see cref="FailoverTargetMs"/>, and never two VIP holders.
    /// </summary>
    public static IEnumerable<string> TargetMisses(IReadOnlyList<FailoverRound> rounds)
    {
        var ms = rounds.Where(r => r.Ms is not null).Select(r => r.Ms!.Value).Order().ToList();
        if (ms.Count > 0)
        {
            var median = ms.Count % 2 == 1 ? ms[ms.Count / 2] : (ms[(ms.Count / 2) - 1] + ms[ms.Count / 2]) / 2;
            if (median > FailoverTargetMs)
            {
                yield return FormattableString.Invariant($"GeoStage failover: median {median:0} ms from the kill to the first 200, target ≤ {FailoverTargetMs} ms");
            }
        }

        if (rounds.Where(r => r.Overlaps > 0).Select(r => r.Index).ToList() is { Count: > 0 } overlapping)
        {
            yield return $"GeoStage failover: two VIP holders in round(s) {string.Join(", ", overlapping)}, target: never";
        }
    }

    private static bool Check(ChildResult run, List<string> failures)
    {
        if (!run.Ok)
        {
            failures.Add(run.Failure);
        }

        return run.Ok;
    }
}
