using GeoStage.Core.Processes;
using System.Globalization;
using GeoStage.Local.Processes;
using System.Text.RegularExpressions;

namespace GeoStage.Bench;

/// <summary>
/// One wrk run: requests/s, MB/s, latency percentiles in ms, and the CPU seconds the proxy under test used
/// meanwhile (null when unknown); Failure says why there are no figures.
/// </summary>
internal sealed record WrkResult(string Client, string Target, WrkLoad Load, double? RequestsPerSecond, double? MegabytesPerSecond, double? P50Ms, double? P99Ms, long? Errors, string? Failure)
{
    public double? ProxyCpuSeconds { get; init; }
}

/// <summary>What wrk asks for: many small requests, or a few connections each fetching a large file.</summary>
/// <param name="Name">As the tables show it.</param>
/// <param name="Path">The URL path.</param>
/// <param name="Connections">Connections wrk keeps open.</param>
internal sealed record WrkLoad(string Name, string Path, int Connections)
{
    public static readonly WrkLoad Requests = new("requests", "/", 50);
    public static readonly WrkLoad Bulk = new("bulk", "/" + BalancerFiles.BulkFile, 4);
}

/// <summary>
/// wrk inside a node's namespace: one thread, 10 s, with its latency distribution. A request may take
/// the whole run (wrk's default of 2 s counted 16 MiB fetches through the tunnel as errors).
/// </summary>
internal static partial class Wrk
{
    public const int Threads = 1;
    public const int Seconds = 10;

    /// <summary>Runs wrk; <paramref name="proxyPid"/>'s CPU time (user + system, all threads) is read before and after.</summary>
    public static async Task<WrkResult> RunAsync(string ns, string client, string target, WrkLoad load, string baseUrl, int? proxyPid, CancellationToken cancellationToken)
    {
        var cpuBefore = CpuSeconds(proxyPid);
        var run = await ChildProcess.RunAsync(
            "ip",
            ["netns", "exec", ns, "wrk", $"-t{Threads}", $"-c{load.Connections}", $"-d{Seconds}s", $"--timeout={Seconds}s", "--latency", baseUrl + load.Path],
            TimeSpan.FromSeconds(Seconds + 60),
            null,
            cancellationToken).ConfigureAwait(false);
        if (!run.Ok)
        {
            return new WrkResult(client, target, load, null, null, null, null, null, run.Failure);
        }

        var text = run.Stdout;
        var rps = Number(RequestsLine().Match(text));
        var transfer = TransferLine().Match(text);
        var mb = transfer.Success ? Number(transfer) * transfer.Groups[2].Value switch { "GB" => 1024, "KB" => 1.0 / 1024, "B" => 1.0 / 1024 / 1024, _ => 1 } : null;
        var errors = ErrorsLine().Match(text) is { Success: true } e ? e.Groups[1].Value.Split(',').Sum(p => long.Parse(Regex.Match(p, @"\d+").Value, CultureInfo.InvariantCulture)) : 0;
        var non2xx = Non2xxLine().Match(text) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var cpuAfter = CpuSeconds(proxyPid);
        return new WrkResult(client, target, load, rps, mb, Percentile(text, "50%"), Percentile(text, "99%"), errors + non2xx, rps is null ? $"no Requests/sec in wrk's output: {text.Trim()}" : null)
        {
            ProxyCpuSeconds = cpuAfter - cpuBefore,
        };
    }

    /// <summary>utime + stime of a process, all threads, in seconds; null when there is none.</summary>
    private static double? CpuSeconds(int? pid) =>
        pid is { } p && ProcTable.CpuTime(p) is { } cpu ? cpu.TotalSeconds : null;

    private static double? Percentile(string text, string label)
    {
        var m = Regex.Match(text, $@"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        return m.Success ? Number(m) * m.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 } : null;
    }

    private static double? Number(Match m) =>
        m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Transfer/sec:\s+([\d.]+)(GB|MB|KB|B)")]
    private static partial Regex TransferLine();

    [GeneratedRegex(@"Socket errors: (.*)")]
    private static partial Regex ErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();
}
