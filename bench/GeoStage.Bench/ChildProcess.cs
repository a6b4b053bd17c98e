using System.Diagnostics;

namespace GeoStage.Bench;

/// <summary>A finished child process: its exit, what it printed, and its wall time from start to exit.</summary>
internal sealed record ChildResult(string Command, int ExitCode, string Stdout, string Stderr, TimeSpan Wall, bool TimedOut)
{
    public bool Ok => ExitCode == 0 && !TimedOut;

    /// <summary>
    /// The ./geostage launcher rebuilds the CLI first when its sources are newer than the build (someone
    /// edited src/ meanwhile): such a command's time includes a build and is no start-up figure.
    /// </summary>
    public bool Rebuilt => Stderr.Contains("geostage: building the CLI", StringComparison.Ordinal);

    /// <summary>One line for a report: what ran and why it counts as failed.</summary>
    public string Failure => TimedOut
        ? $"`{Command}` timed out after {Wall.TotalSeconds:0.0} s and was killed"
        : $"`{Command}` exited with {ExitCode}: {LastLine(Stderr.Length > 0 ? Stderr : Stdout)}";

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [.., var last] ? last : "no output";
}

/// <summary>
/// The one place the benchmark starts processes. The clock runs from just before start to the moment
/// the process is seen to exit; a process past its time is killed, with its descendants, through its
/// own Process object (never by name).
/// </summary>
internal static class ChildProcess
{
    public static async Task<ChildResult> RunAsync(
        string file,
        IReadOnlyList<string> args,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var command = string.Join(' ', [Path.GetFileName(file), .. args]);
        using var process = new Process { StartInfo = info };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();

        // Read to the end rather than line by line: WaitForExitAsync then returns at exit, not at EOF.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        clock.Stop();
        var result = new ChildResult(command, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), clock.Elapsed, timedOut);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// Runs a short tool and returns what it printed (stdout, or stderr when stdout is empty: mn prints its
    /// version there), or null when it is missing or hangs. The exit code is ignored: openvpn --version exits 1.
    /// </summary>
    public static async Task<string?> TryOutputAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunAsync(file, args, TimeSpan.FromSeconds(30), null, cancellationToken).ConfigureAwait(false);
            return result.TimedOut ? null : result.Stdout.Trim().Length > 0 ? result.Stdout : result.Stderr;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>The full path of <paramref name="tool"/> on PATH (or the sbin directories), or null.</summary>
    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
