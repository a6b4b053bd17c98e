using System.Globalization;
using System.Text;
using static GeoStage.Bench.Markdown;

namespace GeoStage.Bench;

/// <summary>The balancer section of docs/benchmarks.md.</summary>
internal static class BalancerMarkdown
{
    public static string Section(BalancerResult r)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        Line(md, "## Load balancer: GeoStage balancer vs HAProxy, failover vs keepalived");
        Line(md);
        Line(md, FormattableString.Invariant($"Measured {m.Date:yyyy-MM-dd HH:mm} UTC on {m.Cpus} CPUs ({m.CpuModel}), {m.Memory}, Linux {m.Kernel}, {m.OpenVpn}, {m.DotNet}; load average after the run {MachineInfo.LoadAverage()}."));
        Line(md);
        Line(md, "    sudo dotnet run -c Release --project bench/GeoStage.Bench -- --balancer [--write docs/benchmarks.md]");
        Line(md);
        Line(md, "Method: `geostage up` of examples/seed.yaml (renamed), nginx as workload `web` on the four nodes of site A");
        Line(md, "(port 7000, a static page holding the node's name), the balancer of examples/lb.yaml in front of it");
        Line(md, "(replicas master01, master02; VIP 192.168.10.200:80 → web:7000). HAProxy runs in TCP mode inside master03's");
        Line(md, "namespace on 192.168.10.103:8080, round robin over the same four backends. Every client runs inside a node's namespace.");
        Line(md);
        Line(md, F($"### Throughput (wrk, {Wrk.Threads} thread, {Wrk.Seconds} s, `--latency`; each row the median of {BalancerBenchmark.ThroughputRepeats} runs)"));
        Line(md);
        Line(md, F($"Loads: *requests*, {WrkLoad.Requests.Connections} connections fetching the small page; *bulk*, {WrkLoad.Bulk.Connections} connections fetching a {BalancerFiles.BulkBytes / (1024 * 1024)} MiB file (a TCP bulk transfer)."));
        Line(md, "node03 is in site C, so its traffic crosses the OpenVPN tunnel C–A; lb is on site A's LAN. Proxy CPU: user + system time of");
        Line(md, "the proxy process during the run (GeoStage: the leader's `lb-front` replica, election included; HAProxy: its one process), per");
        Line(md, "request or per GB moved. The ratio compares requests/s (requests) or MB/s (bulk). One unrecorded 10 s run per target comes first");
        Line(md, "(warm-up, straight after the deploy). Target: GeoStage ≥ 0.9 × HAProxy.");
        Line(md);
        Line(md, "| load | client | target | requests/s | MB/s | p50 | p99 | errors | proxy CPU | GeoStage / HAProxy | all runs |");
        Line(md, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var group in r.Throughput.GroupBy(w => (w.Load.Name, w.Client, w.Target)))
        {
            var bulk = group.Key.Name == WrkLoad.Bulk.Name;
            var w = Median(group, bulk)!;
            var haproxy = w.Target == "GeoStage" ? Median(r.Throughput.Where(h => h.Load.Name == w.Load.Name && h.Client == w.Client && h.Target == "HAProxy"), bulk) : null;
            var ratio = haproxy is not null && Key(w, bulk) is { } g && Key(haproxy, bulk) is { } h && h > 0 ? F($"{g / h:0.00}") : "";
            var all = string.Join(", ", group.Select(x => N(Key(x, bulk), bulk ? "0.0" : "0")));
            Line(md, F($"| {w.Load.Name} | {w.Client} | {w.Target} | {N(w.RequestsPerSecond, "0")} | {N(w.MegabytesPerSecond, "0.0")} | {N(w.P50Ms, "0.00")} ms | {N(w.P99Ms, "0.00")} ms | {w.Errors?.ToString(CultureInfo.InvariantCulture) ?? "–"} | {Cpu(w, bulk)} | {ratio} | {all} |"));
        }

        if (r.ProxyMemory.Count > 0)
        {
            Line(md);
            Line(md, "Memory after the throughput runs: " + string.Join("; ", r.ProxyMemory.Select(m => F($"{m.Key} {m.Value.RssKb / 1024.0:0.0} MiB RSS ({m.Value.PssKb / 1024.0:0.0} MiB PSS)"))) + ".");
        }

        Line(md);
        Line(md, $"### Failover after SIGKILL of the leader ({BalancerBenchmark.Rounds} rounds each)");
        Line(md);
        Line(md, "Time from the SIGKILL to the first HTTP 200 through the VIP from node03 (site C), probing with fresh TCP connections");
        Line(md, $"(each attempt times out after {Probe.AttemptTimeout.TotalMilliseconds:0} ms). GeoStage: the `lb-front` instance on the leader (pid from");
        Line(md, "`geostage ps lb-front --output json`, leader from `geostage lb status --output json`); the next kill waits until the daemon");
        Line(md, "has restarted it and a later term has a leader. keepalived: master01 (priority 150) and master02 (100), unicast peers,");
        Line(md, "`keepalived -n --vrrp`; the kill ends master01's keepalived and its VRRP child; success is a 200 whose body is `master02`;");
        Line(md, "master01's keepalived is then restarted and takes the VIP back before the next round. Overlaps: samples, every ~5 ms");
        Line(md, "from the kill on (to 0.5 s after the new leader for GeoStage, 1 s after the answer for keepalived), in which master01");
        Line(md, "and master02 both held the VIP. Targets: median ≤ 1 s; never two VIP holders.");
        Line(md);
        Line(md, "| system | rounds ok | median | max | rounds with two VIP holders | overlap samples / samples |");
        Line(md, "|---|---:|---:|---:|---:|---:|");
        Row(md, "GeoStage balancer (leaseTtl 1s)", r.GeoStage);
        foreach (var (advert, rounds) in r.Keepalived)
        {
            Row(md, F($"keepalived, advert_int {advert}{(advert < 1 ? " (VRRP v3)" : "")}"), rounds);
        }

        if (r.GeoStage.Count > 0)
        {
            Line(md);
            Line(md, "GeoStage rounds (ms: kill → 200; `lastTakeoverMs` as `lb status` reports it):");
            Line(md);
            Line(md, string.Join(", ", r.GeoStage.Select(g => F($"{g.From}→{g.To ?? "?"} {N(g.Ms, "0")}/{N(g.ReportedMs, "0")}"))));
        }

        if (r.Failures.Count > 0 || r.GeoStage.Concat(r.Keepalived.Values.SelectMany(k => k)).Any(f => f.Failure is not null))
        {
            Line(md);
            Line(md, "Failures:");
            Line(md);
            foreach (var f in r.Failures)
            {
                Line(md, "- " + f);
            }

            foreach (var f in r.GeoStage.Where(f => f.Failure is not null))
            {
                Line(md, $"- GeoStage round {f.Index}: {f.Failure}");
            }

            foreach (var (advert, rounds) in r.Keepalived)
            {
                foreach (var f in rounds.Where(f => f.Failure is not null))
                {
                    Line(md, F($"- keepalived advert_int {advert} round {f.Index}: {f.Failure}"));
                }
            }
        }

        return md.ToString();
    }

    private static void Row(StringBuilder md, string system, List<FailoverRound> rounds)
    {
        var ms = rounds.Where(r => r.Ms is not null).Select(r => r.Ms!.Value).Order().ToList();
        var median = ms.Count == 0 ? (double?)null : ms.Count % 2 == 1 ? ms[ms.Count / 2] : (ms[(ms.Count / 2) - 1] + ms[ms.Count / 2]) / 2;
        Line(md, F($"| {system} | {ms.Count}/{rounds.Count} | {N(median, "0")} ms | {N(ms.Count == 0 ? null : ms[^1], "0")} ms | {rounds.Count(r => r.Overlaps > 0)} | {rounds.Sum(r => r.Overlaps)} / {rounds.Sum(r => r.Samples)} |"));
    }

    /// <summary>The run with the median of the load's key figure (an odd count: the middle one; even: the lower middle).</summary>
    private static WrkResult? Median(IEnumerable<WrkResult> runs, bool bulk)
    {
        var ok = runs.Where(w => Key(w, bulk) is not null).OrderBy(w => Key(w, bulk)).ToList();
        return ok.Count == 0 ? runs.FirstOrDefault() : ok[(ok.Count - 1) / 2];
    }

    private static double? Key(WrkResult w, bool bulk) => bulk ? w.MegabytesPerSecond : w.RequestsPerSecond;

    private static string Cpu(WrkResult w, bool bulk)
    {
        if (w.ProxyCpuSeconds is not { } cpu)
        {
            return "–";
        }

        if (bulk)
        {
            return w.MegabytesPerSecond is { } mb && mb > 0 ? F($"{cpu / (mb * Wrk.Seconds / 1024):0.00} s/GB") : "–";
        }

        return w.RequestsPerSecond is { } rps && rps > 0 ? F($"{cpu * 1e6 / (rps * Wrk.Seconds):0} µs/req") : "–";
    }

    private static string N(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string F(FormattableString s) => FormattableString.Invariant(s);
}
