using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>The markdown section of the workload benchmark: targets first, then a table per topology.</summary>
internal static partial class WorkloadMarkdown
{
    public const string SectionId = "workloads";

    private static readonly (string Verb, Func<CycleRun, Timed?> Step)[] s_steps = [("deploy", r => r.Deploy), ("update", r => r.Update), ("stop", r => r.Stop)];

    public static string Render(WorkloadReport report)
    {
        var md = new StringBuilder();
        var m = report.Machine;
        Line(md, "## Workloads: deploy, update and stop on every node, a P2P rollout, node join, daemon memory");
        Line(md);
        Line(md, $"Measured {m.Date:yyyy-MM-dd HH:mm} UTC on {m.Cpus} CPUs ({m.CpuModel}), {m.Memory} memory, kernel {m.Kernel}; {m.OpenVpn}; {m.DotNet}. "
            + $"Load average (1/5/15 min) {report.Load.Before} before, {report.Load.After} after: anything well above 0 means other work shared the CPUs.");
        Line(md);
        Line(md, "Run only this benchmark with `sudo dotnet run -c Release --project bench/GeoStage.Bench -- --workloads [--seed-runs N] [--grid-runs N] [--write docs/benchmarks.md]`; "
            + "without `--workloads` it runs after the start-up benchmark.");
        Line(md);
        Targets(md, report);
        Topology(md, report.Seed, report.P2pNotRun);
        Topology(md, report.Grid, null);
        Memory(md, report);
        Line(md, "### CLI start-up");
        Line(md);
        Line(md, $"`geostage list --output json`, wall, {report.CliStartup?.Count} runs after one untimed warm-up: {Seconds(report.CliStartup)}. "
            + "Every wall figure above includes this fixed cost once; the `seconds` figures do not.");
        Line(md);
        Problems(md, report);
        Method(md);
        Runs(md, report);
        return md.ToString();
    }

    private static void Targets(StringBuilder md, WorkloadReport report)
    {
        Line(md, "| target (from the issue) | median wall of the CLI (its own figure; runs) | verdict |");
        Line(md, "|---|---|---|");
        foreach (var (result, nodes, limit) in new[] { (report.Seed, "seed (8 nodes)", 1.0), (report.Grid, "grid (100 nodes)", 5.0) })
        {
            var ok = result.Sleeper.Where(r => r.Ok).ToList();
            foreach (var (verb, step) in s_steps)
            {
                Target(md, $"{nodes}: `{verb}` of a light command in at most {limit:0} s", ok.Select(r => step(r)?.WallSeconds), ok.Select(r => step(r)?.Seconds), "`seconds`", result.Plan.Runs, limit);
            }
        }

        var joins = report.Seed.Joins.Where(j => j.Ok).ToList();
        Target(md, "node join in at most 2 s (seed, light workload on every node)", joins.Select(j => j.AddWallSeconds), joins.Select(j => j.TotalSeconds), "`totalSeconds`", report.Seed.Plan.Joins, 2);
        Line(md);
    }

    private static void Target(StringBuilder md, string target, IEnumerable<double?> walls, IEnumerable<double?> inside, string insideName, int runs, double limit)
    {
        if (Spread.Of(walls) is not { } wall)
        {
            Line(md, $"| {target} | {(runs == 0 ? "not run" : "no successful run")} | not measured |");
            return;
        }

        var own = Spread.Of(inside);
        var verdict = wall.Median <= limit ? "met" : $"**missed** by {wall.Median - limit:0.00} s";
        if (wall.Median > limit && own is { } o && o.Median <= limit)
        {
            verdict += $" (met by {insideName}, missed with CLI start-up)";
        }

        Line(md, $"| {target} | {wall.Median:0.00} s ({insideName} {own?.Median:0.000} s; {wall.Count} of {runs} runs) | {verdict} |");
    }

    private static void Topology(StringBuilder md, WorkloadTopologyResult result, string? p2pNotRun)
    {
        var shape = result.Nodes is null ? "" : $": {result.Sites} sites, {result.Nodes} nodes";
        Line(md, $"### {result.Plan.Title}{shape}");
        Line(md);
        if (result.Plan.Runs < 1)
        {
            Line(md, "Not run (0 runs asked for).");
            Line(md);
            return;
        }

        if (result.Nodes is null)
        {
            Line(md, "Not measured: the environment did not come up (see Failures below).");
            Line(md);
            return;
        }

        Line(md, $"Topology: {result.Plan.Topology.Source}; one environment for all runs. "
            + $"Light workload: `/bin/sleep 3600` on every node, no health check, `rollout.maxUnavailable: {result.Nodes}` (every node).");
        Line(md);
        CycleTable(md, result.Sleeper, "light workload");
        if (result.Plan.P2pFile is not null || p2pNotRun is not null)
        {
            Line(md, "The sample P2P app, examples/p2p.yaml as shipped: a .NET process on every node, healthy when `GET /status` answers (checked every 300 ms), "
                + "`rollout.maxUnavailable: 1`. Its `update` is **serial by policy**: one instance at a time is replaced, and the next only once the new one "
                + "passes its health check, so its time grows with the number of nodes and is no fan-out figure. Its `stop` follows the `update` at once, "
                + "while the .NET processes just started still compete with the CLI for the CPUs: its CLI wall includes a CLI start-up slowed by them, "
                + "its `seconds` is the stop itself.");
            Line(md);
            if (p2pNotRun is not null)
            {
                Line(md, $"P2P app: {p2pNotRun}.");
                Line(md);
            }
            else
            {
                CycleTable(md, result.P2p, "P2P app");
            }
        }

        if (result.Joins.Count > 0)
        {
            Joins(md, result);
        }
    }

    private static void CycleTable(StringBuilder md, IReadOnlyList<CycleRun> runs, string what)
    {
        var ok = runs.Where(r => r.Ok).ToList();
        Line(md, $"| {what} | runs ok | CLI wall (median / min / max) | the CLI's `seconds` (median / min / max) |");
        Line(md, "|---|---|---|---|");
        foreach (var (verb, step) in s_steps)
        {
            var command = verb == "update" ? "`update --version 2`" : $"`{verb}`";
            Line(md, $"| {command} | {ok.Count}/{runs.Count} | {Seconds(Spread.Of(ok.Select(r => step(r)?.WallSeconds)))} | {Seconds(Spread.Of(ok.Select(r => step(r)?.Seconds)))} |");
        }

        Line(md);
    }

    private static void Joins(StringBuilder md, WorkloadTopologyResult result)
    {
        var ok = result.Joins.Where(j => j.Ok).ToList();
        Line(md, $"Node join with the light workload running on all {result.Nodes} nodes, so the new node must start it too: "
            + $"`geostage node add {result.Plan.JoinSite} nodeNN --output json`, then `geostage node remove nodeNN`; {ok.Count} of {result.Joins.Count} joins ok, "
            + $"each new node ran {(ok.Count > 0 && ok.All(j => j.Instances == 1) ? "1 instance" : "see every run")}.");
        Line(md);
        Line(md, "| node join | median / min / max |");
        Line(md, "|---|---|");
        Line(md, $"| `totalSeconds` (reachable both ways from every node, and its instance healthy) | {Seconds(Spread.Of(ok.Select(j => j.TotalSeconds)))} |");
        Line(md, $"| `reachableSeconds` (reachable both ways from every node) | {Seconds(Spread.Of(ok.Select(j => j.ReachableSeconds)))} |");
        Line(md, $"| `node add`, CLI wall | {Seconds(Spread.Of(ok.Select(j => j.AddWallSeconds)))} |");
        Line(md, $"| `node remove`, CLI wall | {Seconds(Spread.Of(ok.Select(j => j.RemoveWallSeconds)))} |");
        Line(md);
    }

    private static void Memory(StringBuilder md, WorkloadReport report)
    {
        Line(md, "### Daemon memory");
        Line(md);
        Line(md, "| topology | instances of the light workload | daemon VmRSS right after each `deploy` (median / min / max) | daemon VmHWM at the last sample |");
        Line(md, "|---|---|---|---|");
        foreach (var result in new[] { report.Seed, report.Grid })
        {
            var samples = result.Sleeper.Where(r => r.Ok && r.Memory is not null).Select(r => r.Memory!).ToList();
            if (Spread.Of(samples.Select(s => (double?)s.RssKb)) is not { } rss)
            {
                Line(md, $"| {result.Plan.Title} | – | not measured | – |");
                continue;
            }

            Line(md, $"| {result.Plan.Title} | {result.Nodes} | {Mib(rss.Median)} / {Mib(rss.Min)} / {Mib(rss.Max)} ({rss.Count} {(rss.Count == 1 ? "sample" : "samples")}) | {Mib(samples[^1].HwmKb)} |");
        }

        Line(md);
    }
}
