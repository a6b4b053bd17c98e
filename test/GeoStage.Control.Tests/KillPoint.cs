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
        var starts = DaemonStarts(env);
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

            // Its API answers before it has finished what the killed one began: wait for that, not for the API.
            await Wait.UntilAsync(() => DaemonStarts(env) == starts + 2, s_reach, $"the daemon restarted after {point} to finish its adoption");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>How many daemons of the environment have finished adopting (one "daemon-started" event each).</summary>
    private static long DaemonStarts(DaemonEnv env)
    {
        using var connection = env.Store.Open(env.Name);
        return (long)Core.State.Database.Scalar(connection, "SELECT COUNT(*) FROM events WHERE kind = 'daemon-started'")!;
    }
}
