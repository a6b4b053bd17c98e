using System.Diagnostics;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Core.Processes;
using GeoStage.Core.State;

namespace GeoStage.Control.Daemon;

/// <summary>Starts an environment's daemon in the background (its own session, output to logs/daemon.log) and waits for its API.</summary>
public static class DaemonLauncher
{
    public static async Task<int> StartAsync(StateStore states, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var log = Path.Combine(states.EnsureDirectory(name, "logs"), "daemon.log");
        using var process = ExternalProgram.StartDetached(
            "geostage-daemon", log, [.. SelfCommand(), "serve", "--name", name], new Dictionary<string, string> { ["GEOSTAGE_STATE_DIR"] = states.Root });
        using var client = new ControlClient(states, name, TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var last = File.Exists(log) ? File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0) : null;
                throw new InvalidOperationException($"the control daemon exited with code {process.ExitCode}: {last ?? "no output"} (log: {log})");
            }

            try
            {
                var health = await client.GetAsync<HealthResponse>("v1/health", cancellationToken).ConfigureAwait(false);
                return health.Pid;
            }
            catch (DaemonNotRunningException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How to run this same geostage again: the apphost, or dotnet with the entry assembly.</summary>
    public static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? [process, entry] : [process];
    }
}
