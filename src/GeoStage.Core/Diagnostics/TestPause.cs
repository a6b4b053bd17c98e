using System.Globalization;

namespace GeoStage.Core.Diagnostics;

/// <summary>
/// Named points where a process stops for a test, so that a test can signal or kill it at an exact step
/// rather than by timing luck. When GEOSTAGE_TEST_PAUSE lists the point (comma-separated names), the
/// process writes <c>POINT.reached</c> (holding its pid) in GEOSTAGE_TEST_PAUSE_DIR and waits until
/// <c>POINT.go</c> exists there. Unless both variables are set it returns at once; nothing else reads them.
/// </summary>
public static class TestPause
{
    public const string PointsVariable = "GEOSTAGE_TEST_PAUSE";
    public const string DirectoryVariable = "GEOSTAGE_TEST_PAUSE_DIR";

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(20);

    public static async Task AtAsync(string point, CancellationToken cancellationToken)
    {
        var points = Environment.GetEnvironmentVariable(PointsVariable);
        var dir = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrEmpty(points) || string.IsNullOrEmpty(dir)
            || !points.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(point, StringComparer.Ordinal))
        {
            return;
        }

        await File.WriteAllTextAsync(Path.Combine(dir, point + ".reached"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        var go = Path.Combine(dir, point + ".go");
        while (!File.Exists(go))
        {
            await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
        }
    }
}
