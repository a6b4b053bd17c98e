using GeoStage.Control.Client;
using GeoStage.Testing;

namespace GeoStage.Control.Tests;

/// <summary>
/// Kills an environment's daemon with SIGKILL exactly at a named <see cref="Core.Diagnostics.TestPause"/>
/// point of a request, then starts it again (without pause points), as a crash and the next 'geostage' would.
/// </summary>
internal static class KillPoint
{
    private static readonly TimeSpan s_reach = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Restarts the daemon paused at <paramref name="point"/>, sends <paramref name="request"/>, waits until the
    /// daemon stands at the point, kills it, and starts it again. Fails if the request ends without reaching it.
    /// </summary>
    public static async Task KillAtAsync(DaemonEnv env, string point, Func<ControlClient, Task> request)
    {
        var dir = Directory.CreateTempSubdirectory("geostage-pause-").FullName;
        try
        {
            env.KillDaemon();
            await env.StartDaemonAsync(new Dictionary<string, string> { ["GEOSTAGE_TEST_PAUSE"] = point, ["GEOSTAGE_TEST_PAUSE_DIR"] = dir });
            using var client = env.Client();
            var sent = request(client);
            var reached = Path.Combine(dir, point + ".reached");
            await Wait.UntilAsync(() => File.Exists(reached) || (sent.IsCompleted && !sent.IsCompletedSuccessfully), s_reach, $"the daemon to reach {point}");
            if (!File.Exists(reached))
            {
                throw new InvalidOperationException($"the request ended before the daemon reached {point}", sent.Exception);
            }

            env.KillDaemon();
            try
            {
                await sent;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DaemonNotRunningException or ControlRequestException or TaskCanceledException)
            {
                // Cut off by the kill, as a real client would be.
            }

            await env.StartDaemonAsync();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
