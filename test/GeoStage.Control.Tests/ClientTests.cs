using System.Diagnostics;
using System.Net;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Control.Daemon;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// What the client says when a running daemon gives no answer: it refused the request, closed the
/// connection, or was too slow. None of these is "not running", which sent users to restart a daemon
/// that was fine. The daemon is real; SIGSTOP holds it still so that each case happens for certain.
/// </summary>
public sealed class ClientTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Post_BodyAboveTheDaemonsLimit_ReportsTheRefusalNotASilentDaemon()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("cb")));
        var text = Workloads.Sleeper() + "# " + new string('x', 50_000_000) + "\n";

        var error = await Assert.ThrowsAsync<ControlRequestException>(() => env.ApplyAsync(text));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, error.Status);
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);

        // Refused, not broken: the daemon answers the next request.
        Assert.Empty(await env.InstancesAsync("sleeper"));
    }

    [RootFact("openvpn", "nsenter", "setsid", "ss")]
    public async Task Get_DaemonStoppedThenKilledWithTheRequestQueued_SaysItClosedTheConnection()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("cc")));
        var socket = ControlDaemon.SocketPath(env.Store, env.Name);
        Signal("STOP", env.DaemonPid);

        using var client = new ControlClient(env.Store, env.Name, TimeSpan.FromSeconds(60));
        var asking = client.GetAsync<HealthResponse>("v1/health", CancellationToken.None);

        // The connection is made once the kernel queues it on the stopped daemon's socket.
        await Wait.UntilAsync(() => Queued(socket) > 0, TimeSpan.FromSeconds(30), "the request queued on the daemon's socket");
        env.KillDaemon();

        var error = await Assert.ThrowsAsync<DaemonNotRunningException>(() => asking);
        Assert.StartsWith($"the control daemon of '{env.Name}' closed the connection before answering (see ", error.Message, StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Get_DaemonTooSlow_SaysItRunsButDidNotAnswerInTime()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("ct")));
        Signal("STOP", env.DaemonPid);
        try
        {
            using var client = new ControlClient(env.Store, env.Name, TimeSpan.FromSeconds(1));

            var error = await Assert.ThrowsAsync<DaemonNotRunningException>(() => client.GetAsync<HealthResponse>("v1/health", CancellationToken.None));

            Assert.StartsWith($"the control daemon of '{env.Name}' is running but did not answer within 1 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Signal("CONT", env.DaemonPid);
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Connections waiting to be accepted on the listening socket at <paramref name="path"/> (its Recv-Q).</summary>
    private static int Queued(string path)
    {
        var line = RootSnapshot.Run("ss", "-xlH", "src", path).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return line is null ? 0 : int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
