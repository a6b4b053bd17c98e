using System.Globalization;
using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>The "first failover on a fresh environment" section of docs/benchmarks.md, right after the load balancer's.</summary>
internal static class BalancerFirstMarkdown
{
    public static string Section(FirstFailoverResult r)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        var envs = r.Environments;
        Line(md, F($"### First failover on a fresh environment ({envs.Count} environments)"));
        Line(md);
        Line(md, F($"Measured {m.Date:yyyy-MM-dd HH:mm} UTC on {m.Cpus} CPUs ({m.CpuModel}), {m.Memory}, Linux {m.Kernel}, {m.DotNet}; load average after the run {MachineInfo.LoadAverage()}."));
        Line(md);
        Line(md, "    sudo dotnet run -c Release --project bench/GeoStage.Bench -- --balancer-first [--fresh-envs N] [--write docs/benchmarks.md]");
        Line(md);
        Line(md, "(`--balancer` runs this too, after the section above.) Method: for each environment, `geostage up` of the seed (renamed),");
        Line(md, "web and front deployed as above, and as soon as node03 gets a 200 through the VIP, the leader's `lb-front` replica is");
        Line(md, F($"SIGKILLed and timed as in the rounds above (first kill); then {BalancerFirstFailover.KillsPerEnvironment - 1} more kills in the same environment, under the same"));
        Line(md, "load (later kills); then `down`. Kill → fence: from the SIGKILL to the daemon's `balancer-fenced` event for the killed node.");
        Line(md, "Takeover: `lastTakeoverMs` (the new leader, from winning its lease to serving). Targets, checked by the benchmark for the first");
        Line(md, F($"and the later kills apart: median ≤ {BalancerBenchmark.FailoverTargetMs} ms; never two VIP holders."));
        Line(md);
        Line(md, "| kill | rounds ok | median | max | kill → fence median / max | takeover median / max | rounds with two VIP holders |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|");
        Row(md, "first, on a fresh environment", [.. envs.SelectMany(e => e.Rounds.Take(1).Select(r => (r, e.FenceMs.FirstOrDefault())))]);
        Row(md, "later, same environments", [.. envs.SelectMany(e => e.Rounds.Skip(1).Select((r, i) => (r, e.FenceMs.ElementAtOrDefault(i + 1))))]);
        Line(md);
        var leaders = envs.Select(e => e.LeaderRssKb).OfType<long>().Select(k => (double)k).ToList();
        var followers = envs.Select(e => e.FollowerRssKb).OfType<long>().Select(k => (double)k).ToList();
        Line(md, F($"Replica RSS just before the first kill (median of the environments): leader {Kb(Median(leaders))}, follower {Kb(Median(followers))}."));
        Line(md);
        Line(md, "Per environment (ms: kill → 200 / kill → fence / takeover, for each kill in order), and the first new leader's log:");
        Line(md);
        foreach (var e in envs)
        {
            var kills = string.Join(", ", e.Rounds.Select((k, i) => F($"{k.From}→{k.To ?? "?"} {N(k.Ms)}/{N(e.FenceMs.ElementAtOrDefault(i))}/{N(k.ReportedMs)}")));
            Line(md, F($"- {e.Index}: {kills}{(e.Failures.Count > 0 ? "; failed: " + string.Join("; ", e.Failures) : "")}"));
            foreach (var line in new[] { e.WarmUp, e.Takeover }.OfType<string>())
            {
                Line(md, $"  `{line}`");
            }
        }

        Line(md);
        Line(md, Notes);
        return md.ToString();
    }

    /// <summary>What this run showed, against the run of the same benchmark before the warm-up (kept with the code that writes it).</summary>
    private const string Notes = """
        Notes on this run:

        - Before the warm-up (this branch's base, c5e7764, same machine and day, 10:46 UTC, load average
          35–38): first kill 598 ms median, 704 ms max (kill → fence 150 / 231 ms, takeover 214 / 230 ms);
          later kills 428 / 801 ms (fence 80 / 141 ms, takeover 204 / 386 ms); replica RSS leader 65.0 MiB,
          follower 66.7 MiB. With it: first kill 263 / 308 ms, later kills 251 / 490 ms (table above).
        - Where the first failover's time went before: the new leader's takeover, 114–230 ms (others fenced
          and VIP added at 86–182 ms, backends read at 40–175 ms), against 15–64 ms once warmed: its first
          `ip` and `arping` processes, its first backend read (HTTP and JSON contracts), its first proxy
          accept and connect; and the daemon's first fence (kill → fence 150 ms median against 80 ms later).
          Every takeover is by a replica that never led, so the later kills gained too.
        - The warm-up itself took 314–571 ms at each replica's start under this load (VIP tools 152–290 ms,
          backends 51–144 ms, proxy 110–199 ms), before it stood for election and off any failover's path.
        - The machine ran other work throughout (load average 26–38 on 2 CPUs): every figure here is slower
          than on the quiet machine of the 20 rounds above (247 ms median); compare the rows of this section
          with each other. Kill → fence still differs between first and later kills (78 against 46 ms median),
          within this run's spread (16–117 ms).
        - Memory: the follower's RSS before the first kill went from 66.7 to 68.5 MiB (+1.8 MiB, the code the
          warm-up compiled; the throwaway proxy's buffers go back to the pool).
        """;

    private static void Row(StringBuilder md, string kill, List<(FailoverRound Round, double? FenceMs)> rounds)
    {
        var ms = rounds.Select(r => r.Round.Ms).OfType<double>().ToList();
        var fence = rounds.Select(r => r.FenceMs).OfType<double>().ToList();
        var takeover = rounds.Select(r => r.Round.ReportedMs).OfType<double>().ToList();
        Line(md, F($"| {kill} | {ms.Count}/{rounds.Count} | {N(Median(ms))} ms | {N(Max(ms))} ms | {N(Median(fence))} / {N(Max(fence))} ms | {N(Median(takeover))} / {N(Max(takeover))} ms | {rounds.Count(r => r.Round.Overlaps > 0)} |"));
    }

    private static double? Median(List<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? null : v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
    }

    private static double? Max(List<double> values) => values.Count == 0 ? null : values.Max();

    private static string Kb(double? kb) => kb is { } k ? Mib(k) : "–";

    private static string N(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "–";

    private static string F(FormattableString s) => FormattableString.Invariant(s);
}
