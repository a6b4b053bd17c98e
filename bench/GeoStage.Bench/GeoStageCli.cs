using System.Globalization;

namespace GeoStage.Bench;

/// <summary>
/// The geostage CLI as a user runs it: the repository's launcher script, as a child process, with its
/// state in the benchmark's own directory so that no other environment on the machine is seen or touched.
/// </summary>
internal sealed partial class GeoStageCli(string repo, string stateDirectory)
{
    /// <summary>The rate up probes with (IcmpProber.DefaultRate), used for reach too.</summary>
    public const string ReachRate = "20000";

    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromMinutes(3);
    private readonly string _launcher = Path.Combine(repo, "geostage");
    private readonly Dictionary<string, string> _environment = new() { ["GEOSTAGE_STATE_DIR"] = stateDirectory };

    /// <summary>GNU time, when installed: it gives the peak RSS of the up process.</summary>
    public static string? GnuTime { get; } = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null;

    /// <summary>
    /// <c>geostage up FILE --output json</c>, under GNU time when there is one. The extra fork and exec of
    /// time is in the wall figure; it is well under a millisecond.
    /// </summary>
    public async Task<(ChildResult Result, long? PeakRssKb)> UpAsync(string file, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] up = ["up", file, "--output", "json"];
        if (GnuTime is null)
        {
            return (await RunAsync(up, timeout, cancellationToken).ConfigureAwait(false), null);
        }

        var rssFile = Path.Combine(stateDirectory, $"up-rss-{Guid.NewGuid():N}.txt");
        try
        {
            var result = await ChildProcess.RunAsync(GnuTime, ["-o", rssFile, "-f", "%M", _launcher, .. up], timeout, _environment, cancellationToken).ConfigureAwait(false);
            return (result with { Command = "geostage " + string.Join(' ', up) }, ReadKilobytes(rssFile));
        }
        finally
        {
            File.Delete(rssFile);
        }
    }

    public Task<ChildResult> DownAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(["down", "--name", name], s_shortTimeout, cancellationToken);

    public Task<ChildResult> StatusAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(["status", "--name", name, "--output", "json"], s_shortTimeout, cancellationToken);

    /// <summary>
    /// One echo per pair at <see cref="ReachRate"/>: reach's own default of 5000/s alone would hold 9900
    /// pairs for about 2 s, which is pacing, not the cost of the check.
    /// </summary>
    public Task<ChildResult> ReachAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(["reach", "--name", name, "--count", "1", "--rate", ReachRate, "--output", "json"], s_shortTimeout, cancellationToken);

    /// <summary>
    /// What starting the CLI costs: one untimed call first (the launcher builds the CLI when its sources
    /// changed), then <paramref name="samples"/> timed ones. Not ok, with the error printed, when the CLI does not run.
    /// </summary>
    public async Task<(bool Ok, Spread? Startup)> TimeStartupAsync(int samples, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine("geostage: building if needed, then timing CLI start-up…");
        var warmUp = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (!warmUp.Ok)
        {
            Console.Error.Write(warmUp.Stderr);
            Console.Error.WriteLine($"error: {warmUp.Failure}");
            return (false, null);
        }

        var startup = new List<double?>();
        for (var i = 0; i < samples; i++)
        {
            var list = await ListAsync(cancellationToken).ConfigureAwait(false);
            startup.Add(list.Ok && !list.Rebuilt ? list.Wall.TotalSeconds : null);
        }

        return (true, Spread.Of(startup));
    }

    /// <summary>A command that does almost nothing: what starting the CLI costs.</summary>
    public Task<ChildResult> ListAsync(CancellationToken cancellationToken) =>
        RunAsync(["list", "--output", "json"], s_shortTimeout, cancellationToken);

    private async Task<ChildResult> RunAsync(string[] args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(_launcher, args, timeout, _environment, cancellationToken).ConfigureAwait(false);
        return result with { Command = "geostage " + string.Join(' ', args) };
    }

    /// <summary>GNU time writes "Command exited with non-zero status N" first when it did; the figure is last.</summary>
    private static long? ReadKilobytes(string file) =>
        File.Exists(file)
        && File.ReadAllLines(file).LastOrDefault(l => l.Trim().Length > 0) is { } last
        && long.TryParse(last.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)
            ? kb
            : null;
}
