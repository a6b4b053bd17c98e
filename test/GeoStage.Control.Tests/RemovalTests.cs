using GeoStage.Core.Processes;
using System.Diagnostics;
using GeoStage.Control.Daemon;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// serve racing down: down stops the daemon and holds daemon.lock until the state is gone, so a daemon
/// started meanwhile refuses instead of restarting the tunnels down has just ended. The race is driven
/// by holding the lock as down does, so each outcome happens for certain.
/// </summary>
public sealed class RemovalTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_WhileTheLockIsHeldAndTheEnvironmentMarked_RefusesAsBeingRemoved()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rl")));
        env.KillDaemon();
        var dir = env.Store.DirectoryOf(env.Name);
        var self = Environment.ProcessId;
        File.WriteAllText(Path.Combine(dir, "removing"), $"{self} {ProcTable.StartTicks(self)}");
        using (new FileStream(Path.Combine(dir, "daemon.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var (code, stderr) = await ServeAsync(env);

            Assert.NotEqual(0, code);
            Assert.Contains($"error: environment '{env.Name}' is being removed ('geostage down', pid {self})", stderr, StringComparison.Ordinal);
        }

        File.Delete(Path.Combine(dir, "removing"));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Down_DaemonRunning_StopsItAndNoDaemonStartsUntilTheStateIsGone()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rd")));
        var daemon = env.DaemonPid;
        var tunnels = env.Store.Load(env.Name)!.Processes.Where(p => p.Role != ControlDaemon.Role).ToList();

        using (await Removal.StopDaemonAndHoldAsync(env.Store, env.Name, TimeSpan.FromSeconds(30), CancellationToken.None))
        {
            Assert.Null(ProcTable.StartTicks(daemon));

            var (code, stderr) = await ServeAsync(env);
            Assert.NotEqual(0, code);
            Assert.Contains($"environment '{env.Name}' is being removed", stderr, StringComparison.Ordinal);

            await env.Backend.DownAsync(env.Store.Load(env.Name)!, CancellationToken.None);
        }

        Assert.False(Directory.Exists(env.Store.DirectoryOf(env.Name)));
        Assert.All(tunnels, t => Assert.False(ProcTable.IsAlive(t.Pid, t.StartTicks), $"{t.Role} {t.Pid} still runs"));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_AfterADownThatStoppedPartWay_SaysToFinishTheDown()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rp")));
        env.KillDaemon();

        // A mark whose down is gone: pid 1 never has these start ticks.
        File.WriteAllText(Path.Combine(env.Store.DirectoryOf(env.Name), "removing"), "1 0");
        var (code, stderr) = await ServeAsync(env);

        Assert.NotEqual(0, code);
        Assert.Contains($"run 'geostage down --name {env.Name}' to finish", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stderr)> ServeAsync(DaemonEnv env)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "geostage.dll"), "serve", "--name", env.Name })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE_STATE_DIR"] = env.Store.Root;
        using var serve = Process.Start(info)!;
        var stderr = serve.StandardError.ReadToEndAsync();
        var stdout = serve.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await serve.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            serve.Kill();
            throw new TimeoutException($"serve did not refuse within 60 s; it printed: {await stderr}");
        }

        await stdout;
        return (serve.ExitCode, await stderr);
    }
}
