namespace GeoStage.Core.Diagnostics;

/// <summary>A test hook: pauses at named points when GEOSTAGE_TEST_PAUSE lists them (comma-separated),
/// writing DIR/POINT.reached and waiting until DIR/POINT.go exists, DIR being GEOSTAGE_TEST_PAUSE_DIR.
/// Without the variable it costs one dictionary lookup.</summary>
/// <remarks>
/// Fault-injection tests use it to stop a process at an exact step (and SIGKILL it there) instead of
/// relying on timing. Concurrency: the set is read-only after the type initialiser; any thread may pause.
/// </remarks>
public static class TestPause
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(10);
    private static readonly HashSet<string> s_points = Read();
    private static readonly string s_directory = Environment.GetEnvironmentVariable("GEOSTAGE_TEST_PAUSE_DIR") is { Length: > 0 } dir ? dir : Path.GetTempPath();

    public static ValueTask AtAsync(string point, CancellationToken cancellationToken) =>
        s_points.Contains(point) ? new ValueTask(PauseAsync(point, cancellationToken)) : ValueTask.CompletedTask;

    private static async Task PauseAsync(string point, CancellationToken cancellationToken)
    {
        var go = Path.Combine(s_directory, point + ".go");
        await File.WriteAllTextAsync(Path.Combine(s_directory, point + ".reached"), $"{Environment.ProcessId}\n", cancellationToken).ConfigureAwait(false);
        while (!File.Exists(go))
        {
            await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static HashSet<string> Read() =>
        Environment.GetEnvironmentVariable("GEOSTAGE_TEST_PAUSE") is { Length: > 0 } points
            ? new HashSet<string>(points.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
}
