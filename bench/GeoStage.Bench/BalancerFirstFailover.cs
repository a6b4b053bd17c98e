namespace GeoStage.Bench;

/// <summary>One fresh environment of the first-failover benchmark: its kills in order (the first is the one users meet) and what the logs said.</summary>
internal sealed record FreshEnvironment(int Index, string Environment)
{
    public List<FailoverRound> Rounds { get; } = [];

    /// <summary>Per round, from the SIGKILL to the daemon's balancer-fenced event for the killed node; null when none was found.</summary>
    public List<double?> FenceMs { get; } = [];

    /// <summary>RSS of the leading and the following replica just before the first kill.</summary>
    public long? LeaderRssKb { get; set; }

    public long? FollowerRssKb { get; set; }

    /// <summary>The first takeover's line in the new leader's log (its breakdown), and its warm-up line when it logged one.</summary>
    public string? Takeover { get; set; }

    public string? WarmUp { get; set; }

    public List<string> Failures { get; } = [];
}

internal sealed record FirstFailoverResult(MachineInfo Machine, List<FreshEnvironment> Environments);

/// <summary>
/// The first failover on fresh environments: for each, <c>geostage up</c> of the seed, web and front deployed
/// as in the balancer benchmark, the leader's replica SIGKILLed as soon as the VIP answers from node03, then
/// twice more in the same environment (later kills, for comparison under the same load), then down.
/// </summary>
internal static class BalancerFirstFailover
{
    public const int KillsPerEnvironment = 3;

    public static Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        BenchRun.RunAsync(runId => ["lb" + runId], (context, ct) => MeasureAsync(context, settings, ct), cancellationToken);

    private static async Task<int> MeasureAsync(BenchContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        if (ChildProcess.Which("nginx") is null)
        {
            Console.Error.WriteLine("error: nginx is not installed; apt-get install -y --no-install-recommends nginx-light");
            return BenchRun.CannotRun;
        }

        var result = await MeasureEnvironmentsAsync(context, settings.FreshEnvironments, cancellationToken).ConfigureAwait(false);
        return Write(result, settings);
    }

    /// <summary>Prints the section, writes it when asked; 0 when every environment and round succeeded and the targets were met.</summary>
    public static int Write(FirstFailoverResult result, BenchSettings settings)
    {
        // The README demo's figure (the client's longest gap around the first kill) is checked here, not in its test.
        var misses = BalancerBenchmark.TargetMisses([.. result.Environments.SelectMany(e => e.Rounds.Take(1))]).Select(m => "first kill, " + m)
            .Concat(BalancerBenchmark.TargetMisses([.. result.Environments.SelectMany(e => e.Rounds.Skip(1))]).Select(m => "later kills, " + m))
            .ToList();
        var section = BalancerFirstMarkdown.Section(result)
            + (misses.Count == 0 ? "" : "\nTargets missed:\n\n" + string.Concat(misses.Select(m => "- " + m + "\n")));
        Console.WriteLine(section);
        if (settings.WritePath is { } path)
        {
            BenchmarksFile.WriteSection(path, "balancer-first", section);
        }

        var failed = result.Environments.Any(e => e.Failures.Count > 0 || e.Rounds.Count < KillsPerEnvironment || e.Rounds.Any(r => r.Failure is not null));
        return failed || misses.Count > 0 ? BenchRun.Failed : BenchRun.Ok;
    }

    public static async Task<FirstFailoverResult> MeasureEnvironmentsAsync(BenchContext context, int count, CancellationToken cancellationToken)
    {
        var state = Path.Combine(context.Work, "state");
        Directory.CreateDirectory(state);
        var cli = new GeoStageCli(context.Repo, state);
        var result = new FirstFailoverResult(await MachineInfo.ReadAsync(TimeProvider.System, cancellationToken).ConfigureAwait(false), []);
        for (var i = 1; i <= count; i++)
        {
            var fresh = new FreshEnvironment(i, $"lb{context.RunId}f{i}");
            result.Environments.Add(fresh);
            var seed = Path.Combine(context.Work, fresh.Environment + ".yaml");
            await File.WriteAllTextAsync(seed, BalancerFiles.Seed(context.Repo, fresh.Environment), cancellationToken).ConfigureAwait(false);
            try
            {
                if (await BalancerBenchmark.UpAndDeployAsync(cli, context.Repo, fresh.Environment, seed, context.Work, fresh.Failures, cancellationToken).ConfigureAwait(false))
                {
                    await KillsAsync(cli, context.Work, fresh, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                var down = await cli.DownAsync(fresh.Environment, CancellationToken.None).ConfigureAwait(false);
                if (!down.Ok)
                {
                    fresh.Failures.Add(down.Failure);
                }
            }
        }

        return result;
    }

    private static async Task KillsAsync(GeoStageCli cli, string work, FreshEnvironment fresh, CancellationToken cancellationToken)
    {
        var env = fresh.Environment;
        var workload = "lb-" + BalancerRounds.Balancer;
        var (leader, _, _) = await cli.LeaderAsync(env, BalancerRounds.Balancer, cancellationToken).ConfigureAwait(false);
        foreach (var node in new[] { "master01", "master02" })
        {
            if ((await cli.InstanceAsync(env, workload, node, cancellationToken).ConfigureAwait(false)).Pid is { } pid)
            {
                var rss = ProcMemory.Sum([pid]).RssKb;
                _ = node == leader ? fresh.LeaderRssKb = rss : fresh.FollowerRssKb = rss;
            }
        }

        var rounds = new BalancerRounds(cli, env, work);
        for (var k = 1; k <= KillsPerEnvironment; k++)
        {
            var round = await rounds.GeoStageAsync(k, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"[balancer-first] {env} kill {k}: {round}");
            fresh.Rounds.Add(round);
            if (round.Failure is not null)
            {
                break;
            }
        }

        var events = await cli.EventsAsync(env, cancellationToken).ConfigureAwait(false);
        foreach (var round in fresh.Rounds)
        {
            var fenced = events.Where(e => e.Kind == "balancer-fenced" && e.Node == round.From && e.At >= round.KilledAt).Select(e => (DateTimeOffset?)e.At).FirstOrDefault();
            fresh.FenceMs.Add(fenced is { } at && round.KilledAt is { } killed ? (at - killed).TotalMilliseconds : null);
        }

        // The new leader of the first failover had never led: its first "leader of" line is that takeover.
        var lines = await cli.LogsAsync(env, workload, 200, cancellationToken).ConfigureAwait(false);
        if (fresh.Rounds.FirstOrDefault()?.To is { } to)
        {
            fresh.Takeover = lines.FirstOrDefault(l => l.StartsWith($"[{to}] ", StringComparison.Ordinal) && l.Contains(" leader of ", StringComparison.Ordinal))?[(to.Length + 3)..];
            fresh.WarmUp = lines.FirstOrDefault(l => l.StartsWith($"[{to}] ", StringComparison.Ordinal) && l.Contains("warmed the takeover path", StringComparison.Ordinal))?[(to.Length + 3)..];
        }
    }
}
