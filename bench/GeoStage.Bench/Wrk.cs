using System.Globalization;
using System.Text.RegularExpressions;

namespace GeoStage.Bench;

/// <summary>One wrk run: requests/s, MB/s, latency percentiles in ms; Failure says why there are none.</summary>
internal sealed record WrkResult(string Client, string Target, double? RequestsPerSecond, double? MegabytesPerSecond, double? P50Ms, double? P99Ms, long? Errors, string? Failure);

/// <summary>wrk inside a node's namespace: one thread, 50 connections, 10 s, with its latency distribution.</summary>
internal static partial class Wrk
{
    public const int Threads = 1;
    public const int Connections = 50;
    public const int Seconds = 10;

    public static async Task<WrkResult> RunAsync(string ns, string client, string target, string url, CancellationToken cancellationToken)
    {
        var run = await ChildProcess.RunAsync(
            "ip",
            ["netns", "exec", ns, "wrk", $"-t{Threads}", $"-c{Connections}", $"-d{Seconds}s", "--latency", url],
            TimeSpan.FromSeconds(Seconds + 60),
            null,
            cancellationToken).ConfigureAwait(false);
        if (!run.Ok)
        {
            return new WrkResult(client, target, null, null, null, null, null, run.Failure);
        }

        var text = run.Stdout;
        var rps = Number(RequestsLine().Match(text));
        var transfer = TransferLine().Match(text);
        var mb = transfer.Success ? Number(transfer) * transfer.Groups[2].Value switch { "GB" => 1024, "KB" => 1.0 / 1024, "B" => 1.0 / 1024 / 1024, _ => 1 } : null;
        var errors = ErrorsLine().Match(text) is { Success: true } e ? e.Groups[1].Value.Split(',').Sum(p => long.Parse(Regex.Match(p, @"\d+").Value, CultureInfo.InvariantCulture)) : 0;
        var non2xx = Non2xxLine().Match(text) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(client, target, rps, mb, Percentile(text, "50%"), Percentile(text, "99%"), errors + non2xx, rps is null ? $"no Requests/sec in wrk's output: {text.Trim()}" : null);
    }

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
