using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>Everything one benchmark run found, for the report.</summary>
internal sealed record BenchReport(
    MachineInfo Machine,
    (string Before, string After) Load,
    Spread? CliStartup,
    GeoStageResult Seed,
    GeoStageResult Grid,
    MininetResult Mininet,
    IReadOnlyList<string> LeftoverNamespaces)
{
    public IEnumerable<(string Title, GeoStageRun Run)> GeoStageRuns =>
        Seed.Runs.Select(r => (Seed.Title, r)).Concat(Grid.Runs.Select(r => (Grid.Title, r)));

    public bool AllOk =>
        Seed.Runs.Concat(Grid.Runs).All(r => r.Ok)
        && Mininet.Runs.All(r => r.Ok)
        && LeftoverNamespaces.Count == 0;
}

/// <summary>The markdown section of the start-up benchmark: targets first, then a table per topology.</summary>
internal static partial class MarkdownReport
{
    public const string SectionId = "startup";
    private const double SeedTargetSeconds = 5;
    private const double GridTargetSeconds = 20;

    public static string Render(BenchReport report)
    {
        var md = new StringBuilder();
        var m = report.Machine;
        Line(md, "## Start-up: `geostage up` until every pair of nodes is reachable, and `down`");
        Line(md);
        Line(md, $"Measured {m.Date:yyyy-MM-dd HH:mm} UTC on {m.Cpus} CPUs ({m.CpuModel}), {m.Memory} memory, kernel {m.Kernel}; "
            + $"{m.OpenVpn}; {m.DotNet}; Mininet {report.Mininet.Version ?? "not run"}. "
            + $"Load average (1/5/15 min) {report.Load.Before} before, {report.Load.After} after: anything well above 0 means other work shared the CPUs.");
        Line(md);
        Targets(md, report);
        Topology(md, report.Seed, report.Mininet, hosts: 8, report.CliStartup);
        Topology(md, report.Grid, report.Mininet, hosts: 100, report.CliStartup);
        CliStartup(md, report.CliStartup);
        Problems(md, report);
        Method(md);
        Runs(md, report);
        return md.ToString();
    }

    private static void Targets(StringBuilder md, BenchReport report)
    {
        Line(md, "| target (from the issue) | GeoStage, median wall of `up` | verdict |");
        Line(md, "|---|---|---|");
        Target(md, "seed ready in at most 5 s", report.Seed, SeedTargetSeconds);
        Target(md, "100 nodes with all pairs checked in at most 20 s", report.Grid, GridTargetSeconds);
        Line(md);
    }

    private static void Target(StringBuilder md, string target, GeoStageResult result, double limit)
    {
        var ok = result.Runs.Where(r => r.Ok).ToList();
        if (Spread.Of(ok.Select(r => r.UpWallSeconds)) is not { } wall)
        {
            Line(md, $"| {target} | {(result.Runs.Count == 0 ? "not run" : "no successful run")} | not measured |");
            return;
        }

        var inside = Spread.Of(ok.Select(r => r.UpInsideSeconds));
        var verdict = wall.Median <= limit ? "met" : $"**missed** by {wall.Median - limit:0.00} s";
        if (wall.Median > limit && inside is { } i && i.Median <= limit)
        {
            verdict += " (met inside `up`, missed with CLI start-up)";
        }

        Line(md, $"| {target} | {wall.Median:0.00} s ({inside?.Median:0.00} s inside `up`; {wall.Count} of {result.Runs.Count} runs) | {verdict} |");
    }

    private static void Topology(StringBuilder md, GeoStageResult result, MininetResult mininet, int hosts, Spread? startup)
    {
        var ok = result.Runs.Where(r => r.Ok).ToList();
        var first = ok.FirstOrDefault() ?? result.Runs.FirstOrDefault(r => r.Nodes is not null);
        var shape = first is null ? "" : $": {first.Sites} sites, {first.Nodes} nodes, {first.Tunnels} OpenVPN tunnels, {first.Total} ordered pairs";
        Line(md, $"### {result.Title}{shape}");
        Line(md);
        Line(md, $"Topology: {result.Source}.");
        Line(md);
        Line(md, "| tool | runs ok | up until all pairs reachable, wall (median / min / max) | inside the tool | down, wall | pairs checked | memory |");
        Line(md, "|---|---|---|---|---|---|---|");
        var pairs = first is null ? "–" : $"{first.Total} ordered pairs, all reachable in every ok run";
        if (result.Runs.Count == 0)
        {
            Line(md, "| GeoStage (OpenVPN mesh) | not run (0 runs asked for) | | | | | |");
        }
        else
        {
            Line(md, $"| GeoStage (OpenVPN mesh) | {ok.Count}/{result.Runs.Count} | {Seconds(Spread.Of(ok.Select(r => r.UpWallSeconds)))} "
                + $"| {Seconds(Spread.Of(ok.Select(r => r.UpInsideSeconds)))} (`elapsedSeconds`) | {Seconds(Spread.Of(ok.Select(r => r.DownWallSeconds)))} "
                + $"| {(ok.Count == 0 ? "–" : pairs)} | {GeoStageMemory(ok)} |");
        }

        var references = mininet.Runs.Where(r => r.Hosts == hosts).ToList();
        if (references.Count > 0)
        {
            var good = references.Where(r => r.Ok).ToList();
            var received = good.FirstOrDefault() is { } g ? $"{g.Sent} ordered pairs, {g.Received}/{g.Sent} received ({g.DroppedPercent}% dropped)" : "–";
            Line(md, $"| Mininet single,{hosts} (one Linux bridge, no VPN) | {good.Count}/{references.Count} | {Seconds(Spread.Of(good.Select(r => r.WallSeconds)))} (build + pingall + stop) "
                + $"| {Seconds(Spread.Of(good.Select(r => r.CompletedInSeconds)))} (its \"completed in\") | in the wall figure (mn stops the network before it exits) | {received} | not measured |");
        }

        Line(md);
        if (Spread.Of(ok.Select(r => r.ReachWallSeconds)) is { } reach)
        {
            // Below the start-up's own spread the difference is noise, not the cost of the check.
            var net = startup is not { } s ? ""
                : reach.Median - s.Median > s.Max - s.Min ? $"; less the CLI start-up median, about {reach.Median - s.Median:0.00} s"
                : "; indistinguishable from the CLI start-up alone";
            Line(md, $"The all-pairs check alone, on the environment once up (`geostage reach --count 1 --rate {GeoStageCli.ReachRate}`, wall, CLI start-up included): {Seconds(reach)}{net}.");
            Line(md);
        }
    }

    private static void CliStartup(StringBuilder md, Spread? startup)
    {
        Line(md, "### CLI start-up");
        Line(md);
        Line(md, $"`geostage list --output json` (the launcher script's staleness check, .NET start-up, an empty listing), wall, {startup?.Count} runs after one untimed warm-up: {Seconds(startup)}. "
            + "Every GeoStage wall figure above includes this fixed cost once.");
        Line(md);
    }

    private static string GeoStageMemory(IReadOnlyList<GeoStageRun> ok)
    {
        var parts = new List<string>();
        if (Spread.Of(ok.Select(r => (double?)r.UpPeakRssKb)) is { } peak)
        {
            parts.Add($"`up` peak RSS {Mib(peak.Median)}");
        }

        var vpn = ok.Where(r => r.OpenVpn is not null).Select(r => r.OpenVpn!).ToList();
        if (vpn.Count > 0)
        {
            var rss = Spread.Of(vpn.Select(v => (double?)v.RssKb))!.Value.Median;
            var pss = Spread.Of(vpn.Select(v => (double?)v.PssKb))!.Value.Median;
            parts.Add($"OpenVPN: {vpn[0].Processes} processes, {Mib(rss)} RSS summed ({Mib(pss)} PSS)");
        }

        return parts.Count == 0 ? "not measured" : string.Join("; ", parts) + " (medians)";
    }
}
