using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>The parts of the workload report that say what went wrong, how figures were taken, and every run.</summary>
internal static partial class WorkloadMarkdown
{
    private static void Problems(StringBuilder md, WorkloadReport report)
    {
        Line(md, "### Failures and leftovers");
        Line(md);
        var any = false;
        foreach (var result in new[] { report.Seed, report.Grid })
        {
            var env = $"{result.Plan.Title} (`{result.Plan.Topology.Name}`)";
            foreach (var failure in result.Failures)
            {
                Line(md, $"- {env}: {failure}");
                any = true;
            }

            foreach (var (what, run) in AllCycles(result))
            {
                foreach (var failure in run.Failures)
                {
                    Line(md, $"- {env}, {what} run {run.Index} failed: {failure}");
                    any = true;
                }

                foreach (var note in run.Notes)
                {
                    Line(md, $"- {env}, {what} run {run.Index}: {note}.");
                }
            }

            foreach (var join in result.Joins)
            {
                foreach (var failure in join.Failures)
                {
                    Line(md, $"- {env}, join {join.Index} ({join.Node}) failed: {failure}");
                    any = true;
                }

                foreach (var note in join.Notes)
                {
                    Line(md, $"- {env}, join {join.Index} ({join.Node}): {note}.");
                }
            }
        }

        if (report.P2pNotRun is { } why)
        {
            Line(md, $"- P2P app {why}.");
            any = true;
        }

        if (!any)
        {
            Line(md, "- No run failed: every command exited 0 and reported what was asked (every instance healthy at the new version, or none left; one instance on each new node).");
        }

        Line(md, report.LeftoverNamespaces.Count == 0
            ? "- `ip netns list` after the benchmark shows none of its environments' namespaces."
            : $"- **`ip netns list` still shows {report.LeftoverNamespaces.Count} namespaces of the benchmark's environments** ({string.Join(", ", report.LeftoverNamespaces.Take(5))}…).");
        Line(md);
    }

    private static void Method(StringBuilder md)
    {
        Line(md, "### How each figure was measured");
        Line(md);
        Line(md, "- **CLI wall**: the command run as a child process through the repository's `./geostage` launcher, from just before the process starts "
            + "to when it is seen to exit: the launcher script, .NET start-up of the CLI, reading the file (deploy), the request to the daemon, and the "
            + "CLI's wait until the change has settled. Commands: `geostage deploy FILE --name ENV --output json`, `geostage update WORKLOAD --version 2 "
            + "--name ENV --output json`, `geostage stop WORKLOAD --name ENV --output json`.");
        Line(md, "- **`seconds`**: the figure those commands print with `--output json`, from the CLI's own stopwatch. It starts just before the "
            + "request is sent (so it includes the daemon validating and accepting the change) and stops when the CLI's poll of the daemon "
            + "sees every instance healthy at the new version (`deploy`, `update`) or none left (`stop`). Not in it: CLI start-up.");
        Line(md, "- **healthy**: the light workload has no health check, so the daemon counts an instance healthy once it has been alive for 250 ms: "
            + "no `deploy` or `update` of it can take less. The P2P app is healthy when `GET http://NODE:7000/status` answers from inside its node's namespace.");
        Line(md, "- **update**: a new version (`--version 2`) replaces every instance. The daemon rolls out site by site, keeping at most "
            + "`rollout.maxUnavailable` instances unhealthy at once; for the light workload that budget is every node, so no instance waits for another's health check.");
        Line(md, "- **run**: `deploy` (version 1) → `update --version 2` → `stop`, on one environment per topology brought up once with `geostage up` "
            + "(not timed here; see the start-up section). A run counts only when every command exits 0 and reports the workload as asked. "
            + "Median / min / max are over the runs that counted.");
        Line(md, "- **node join**: `totalSeconds` and `reachableSeconds` as `node add` prints them: the daemon's own stopwatch from receiving the request "
            + "to every node reaching the new one and it every node (`reachableSeconds`), then on until its instances are healthy (`totalSeconds`). "
            + "The CLI wall adds CLI start-up. After each join the node is removed again (`node remove`, wall time shown), so that each join starts from the topology as it was brought up.");
        Line(md, "- **daemon memory**: the daemon is found in /proc as the process `geostage serve --name ENV` whose "
            + "environment holds the benchmark's private `GEOSTAGE_STATE_DIR`; VmRSS and VmHWM are read from `/proc/PID/status` right after each "
            + "`deploy` of the light workload, with every instance healthy. VmHWM is the peak resident size since the daemon started with `up`: at "
            + "the last sample it includes the earlier runs' updates and stops.");
        Line(md);
    }

    private static void Runs(StringBuilder md, WorkloadReport report)
    {
        Line(md, "<details><summary>Every run</summary>");
        Line(md);
        Line(md, "| topology | workload | run | deploy wall | deploy `seconds` | update wall | update `seconds` | stop wall | stop `seconds` | daemon VmRSS / VmHWM | result |");
        Line(md, "|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var result in new[] { report.Seed, report.Grid })
        {
            foreach (var (what, run) in AllCycles(result))
            {
                var memory = run.Memory is { } m ? $"{Mib(m.RssKb)} / {Mib(m.HwmKb)}" : "–";
                Line(md, $"| {result.Plan.Title} | {what} | {run.Index} | {S(run.Deploy?.WallSeconds)} | {S3(run.Deploy?.Seconds)} | {S(run.Update?.WallSeconds)} "
                    + $"| {S3(run.Update?.Seconds)} | {S(run.Stop?.WallSeconds)} | {S3(run.Stop?.Seconds)} | {memory} | {(run.Ok ? "ok" : "failed")} |");
            }
        }

        var joins = new[] { report.Seed, report.Grid }.SelectMany(r => r.Joins.Select(j => (r.Plan.Title, Join: j))).ToList();
        if (joins.Count > 0)
        {
            Line(md);
            Line(md, "| topology | join | node | `node add` wall | `totalSeconds` | `reachableSeconds` | instances on it | `node remove` wall | result |");
            Line(md, "|---|---|---|---|---|---|---|---|---|");
            foreach (var (title, join) in joins)
            {
                Line(md, $"| {title} | {join.Index} | {join.Node} | {S(join.AddWallSeconds)} | {S3(join.TotalSeconds)} | {S3(join.ReachableSeconds)} "
                    + $"| {join.Instances?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "–"} | {S(join.RemoveWallSeconds)} | {(join.Ok ? "ok" : "failed")} |");
            }
        }

        Line(md);
        Line(md, "</details>");
    }

    private static IEnumerable<(string What, CycleRun Run)> AllCycles(WorkloadTopologyResult result) =>
        result.Sleeper.Select(r => ("light workload", r)).Concat(result.P2p.Select(r => ("P2P app", r)));

    private static string S3(double? seconds) => seconds is { } s ? FormattableString.Invariant($"{s:0.000} s") : "–";
}
