using System.Globalization;
using System.Text.RegularExpressions;

namespace GeoStage.Bench;

/// <summary>
/// The reference: Mininet's own all-pairs ping over one Linux bridge (no controller, no Open vSwitch, no
/// VPN), so a lower bound of the work GeoStage does. Mininet cleans up on a clean exit; what it leaves
/// anyway in the root namespace is removed here, link by link, and reported.
/// </summary>
internal static partial class MininetBench
{
    public static async Task<MininetResult> RunAsync(IReadOnlyList<int> hostCounts, int runs, CancellationToken cancellationToken)
    {
        if (runs < 1)
        {
            return new MininetResult(null, "skipped (--mininet-runs 0)", []);
        }

        if (ChildProcess.Which("mn") is not { } mn)
        {
            return new MininetResult(null, "not run: mn is not installed (apt-get install --no-install-recommends mininet bridge-utils)", []);
        }

        var version = (await ChildProcess.TryOutputAsync(mn, ["--version"], cancellationToken).ConfigureAwait(false))?.Trim();
        var results = new List<MininetRun>();
        foreach (var hosts in hostCounts)
        {
            for (var index = 1; index <= runs; index++)
            {
                var run = await RunOnceAsync(mn, hosts, index, cancellationToken).ConfigureAwait(false);
                results.Add(run);
                Console.Error.WriteLine(run.Ok
                    ? $"[mininet single,{hosts} {index}/{runs}] {run.WallSeconds:0.00} s wall, {run.Received}/{run.Sent} received"
                    : $"[mininet single,{hosts} {index}/{runs}] FAILED: {run.Failure}");
            }
        }

        return new MininetResult(version, null, results);
    }

    private static async Task<MininetRun> RunOnceAsync(string mn, int hosts, int index, CancellationToken cancellationToken)
    {
        var before = await LinkNamesAsync(cancellationToken).ConfigureAwait(false);
        var timeout = TimeSpan.FromSeconds(60 + (5 * hosts));
        string[] args = ["--topo", $"single,{hosts}", "--switch", "lxbr", "--controller", "none", "--test", "pingall"];
        ChildResult result;
        IReadOnlyList<string> leftovers;
        try
        {
            result = await ChildProcess.RunAsync(mn, args, timeout, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            leftovers = await RemoveLeftoversAsync(before, CancellationToken.None).ConfigureAwait(false);
        }

        var output = result.Stdout + "\n" + result.Stderr;
        var run = new MininetRun { Hosts = hosts, Index = index, WallSeconds = result.Wall.TotalSeconds, LeftoverLinksDeleted = leftovers };
        if (CompletedIn().Match(output) is { Success: true } completed)
        {
            run = run with { CompletedInSeconds = double.Parse(completed.Groups[1].Value, CultureInfo.InvariantCulture) };
        }

        if (Results().Match(output) is not { Success: true } line)
        {
            var failure = result.Ok ? "no 'Results:' line in mn's output: " + Tail(output) : $"{result.Failure} ({Tail(result.Stderr)})";
            return run with { WallSeconds = null, Failure = failure };
        }

        run = run with
        {
            DroppedPercent = int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture),
            Received = int.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture),
            Sent = int.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture),
        };
        return !result.Ok ? run with { Failure = result.Failure }
            : run.Received != run.Sent ? run with { Failure = $"pingall: {line.Value}" }
            : run;
    }

    /// <summary>Links Mininet makes in the root namespace (the switch s1 and its ports) that were not there before.</summary>
    private static async Task<IReadOnlyList<string>> RemoveLeftoversAsync(IReadOnlySet<string> before, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        var after = await LinkNamesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in after.Where(n => !before.Contains(n) && MininetLink().IsMatch(n)).Order(StringComparer.Ordinal))
        {
            // Deleting one end of a veth pair takes the other with it; a name gone meanwhile is not an error.
            var del = await ChildProcess.RunAsync("ip", ["link", "del", name], TimeSpan.FromSeconds(30), null, cancellationToken).ConfigureAwait(false);
            if (del.Ok)
            {
                deleted.Add(name);
                Console.Error.WriteLine($"mininet left link {name} in the root namespace; deleted it");
            }
        }

        return deleted;
    }

    /// <summary>The link names of the root namespace (<c>ip -o link show</c>: "7: s1-eth1@if6: &lt;...").</summary>
    private static async Task<IReadOnlySet<string>> LinkNamesAsync(CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(30), null, cancellationToken).ConfigureAwait(false);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length == 3)
            .Select(parts => parts[1].Trim().Split('@')[0])
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(3));
    }

    [GeneratedRegex(@"Results: (\d+)% dropped \((\d+)/(\d+) received\)")]
    private static partial Regex Results();

    [GeneratedRegex(@"completed in ([0-9.]+) seconds")]
    private static partial Regex CompletedIn();

    [GeneratedRegex(@"^(s\d+|s\d+-eth\d+|h\d+-eth\d+)$")]
    private static partial Regex MininetLink();
}
