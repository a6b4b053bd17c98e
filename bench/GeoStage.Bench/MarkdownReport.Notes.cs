using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>The parts of the report that say what went wrong, how figures were taken, and every run.</summary>
internal static partial class MarkdownReport
{
    private static void Problems(StringBuilder md, BenchReport report)
    {
        Line(md, "### Failures and leftovers");
        Line(md);
        var failed = report.GeoStageRuns.Where(x => !x.Run.Ok).ToList();
        foreach (var (title, run) in failed)
        {
            Line(md, $"- {title} run {run.Index} (`{run.Environment}`) failed: {string.Join("; ", run.Failures)}");
        }

        foreach (var (title, run) in report.GeoStageRuns)
        {
            foreach (var note in run.Notes)
            {
                Line(md, $"- {title} run {run.Index} (`{run.Environment}`): {note}.");
            }
        }

        if (report.Mininet.NotRun is { } why)
        {
            Line(md, $"- Mininet: {why}");
        }

        foreach (var run in report.Mininet.Runs.Where(r => !r.Ok))
        {
            Line(md, $"- Mininet single,{run.Hosts} run {run.Index} failed: {run.Failure}");
        }

        if (failed.Count == 0 && report.Mininet.Runs.All(r => r.Ok))
        {
            Line(md, "- No run failed: every GeoStage run reached all pairs and was taken down; every Mininet run received all pings.");
        }

        var deleted = report.Mininet.Runs.SelectMany(r => r.LeftoverLinksDeleted).ToList();
        Line(md, report.Mininet.Runs.Count == 0 ? "- Mininet did not run, so it left nothing."
            : deleted.Count == 0 ? "- Mininet left no link in the root namespace (no new `s1`, `s1-eth*`, `h*-eth*` after any run)."
            : $"- Mininet left {deleted.Count} links in the root namespace; the benchmark deleted exactly these by name: {string.Join(", ", deleted)}.");
        Line(md, report.LeftoverNamespaces.Count == 0
            ? "- `ip netns list` after the benchmark shows none of its environments' namespaces."
            : $"- **`ip netns list` still shows {report.LeftoverNamespaces.Count} namespaces of the benchmark's environments** ({string.Join(", ", report.LeftoverNamespaces.Take(5))}…).");
        Line(md);
    }

    private static void Method(StringBuilder md)
    {
        Line(md, "### How each figure was measured");
        Line(md);
        Line(md, "- **up, wall**: `geostage up FILE --output json` run as a child process through the repository's `./geostage` launcher "
            + "(under GNU `time` for the peak RSS), from just before the process starts to when it is seen to exit. It includes the launcher "
            + "script, .NET start-up, validation, the namespaces and links, the CLI's default all-pairs matrix *before* the overlay, "
            + "starting OpenVPN, and waiting until every ordered pair of nodes answers ICMP echo through the overlay. "
            + "A run counts only when `up` exits 0 and its JSON says `after.reachable == after.total`.");
        Line(md, "- **inside the tool**: for GeoStage the `elapsedSeconds` that `up` reports (its own stopwatch around the backend's up, "
            + "no process start-up); for Mininet the \"completed in\" it prints (from its start-up in Python to the end of its stop).");
        Line(md, "- **down, wall**: `geostage down --name ENV` as a child process, start to exit, CLI start-up included.");
        Line(md, "- **pairs checked**: `after.total` of `up`, every ordered pair of distinct nodes; for Mininet the `a/b received` of "
            + "its `pingall` line. Mininet pings the pairs one after another, one `ping -c1` process per pair, on one bridge without a "
            + "VPN or routers: a lower bound of the work, not the same work. GeoStage probes all pairs concurrently from inside each "
            + "node's namespace, across routers and OpenVPN tunnels.");
        Line(md, "- **memory**: `up` peak RSS is GNU time's `%M`, the largest maximum RSS among the `up` process and the children it "
            + "waited for: in practice the .NET CLI itself. OpenVPN is the sum over `sites[].tunnels[].pid` of `geostage status --output json`, "
            + "read from `/proc/PID/status` (VmRSS, which counts shared libraries once per process) and `/proc/PID/smaps_rollup` "
            + "(Pss, which splits them), taken after `up` and before `down`.");
        Line(md, "- Each run uses a new environment name and a private `GEOSTAGE_STATE_DIR`; runs are sequential, one environment at a time. "
            + "Median / min / max are over the runs that succeeded.");
        Line(md);
    }

    private static void Runs(StringBuilder md, BenchReport report)
    {
        Line(md, "<details><summary>Every run</summary>");
        Line(md);
        Line(md, "| topology | run | environment | up wall | inside up | reach | down | pairs | up peak RSS | OpenVPN RSS / PSS | result |");
        Line(md, "|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (title, run) in report.GeoStageRuns)
        {
            var vpn = run.OpenVpn is { } v ? $"{Mib(v.RssKb)} / {Mib(v.PssKb)}" : "–";
            var peak = run.UpPeakRssKb is { } kb ? Mib(kb) : "–";
            Line(md, $"| {title} | {run.Index} | `{run.Environment}` | {S(run.UpWallSeconds)} | {S(run.UpInsideSeconds)} | {S(run.ReachWallSeconds)} "
                + $"| {S(run.DownWallSeconds)} | {run.Reachable}/{run.Total} | {peak} | {vpn} | {(run.Ok ? "ok" : "failed")} |");
        }

        foreach (var run in report.Mininet.Runs)
        {
            Line(md, $"| mininet single,{run.Hosts} | {run.Index} | – | {S(run.WallSeconds)} | {S(run.CompletedInSeconds)} | – | – | {run.Received}/{run.Sent} | – | – | {(run.Ok ? "ok" : "failed")} |");
        }

        Line(md);
        Line(md, "</details>");
    }
}
