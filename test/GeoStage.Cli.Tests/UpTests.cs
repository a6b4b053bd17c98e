using GeoStage.Core.Processes;
using System.Text.Json;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>up's JSON result, and up stopped by a signal half-way.</summary>
public sealed class UpTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Up_OutputJson_PrintsOneDocumentWithBeforeAndAfter()
    {
        await using var sandbox = new CliSandbox("uj");
        var file = sandbox.WriteFile("two.yaml", Topologies.TwoSites(sandbox.Name));

        var result = await sandbox.RunAsync("up", file, "--output", "json");

        CliAssert.Exit(ExitCodes.Ok, result);
        using var document = JsonDocument.Parse(result.Stdout);
        var up = document.RootElement;
        Assert.Equal(sandbox.Name, up.GetProperty("environment").GetString());
        Assert.True(up.GetProperty("elapsedSeconds").GetDouble() > 0);
        Assert.Equal(2, up.GetProperty("sites").GetInt32());
        Assert.Equal(3, up.GetProperty("nodes").GetInt32());
        Assert.Equal(1, up.GetProperty("tunnels").GetInt32());

        // e1 and e2 share a site; w1 is alone in the other until the tunnel joins them.
        Assert.Equal(2, up.GetProperty("before").GetProperty("reachable").GetInt32());
        Assert.Equal(6, up.GetProperty("before").GetProperty("total").GetInt32());
        Assert.Equal(6, up.GetProperty("after").GetProperty("reachable").GetInt32());
        Assert.Equal(6, up.GetProperty("after").GetProperty("total").GetInt32());

        // Progress lines ("  0.07s namespaces ...") are for people; with JSON they are left out.
        Assert.DoesNotMatch(@"(?m)^\s*\d+\.\d\ds ", result.Stderr);
    }

    [RootFact]
    public async Task Up_TimeoutOutOfRange_RefusedBeforeAnythingIsCreated()
    {
        await using var sandbox = new CliSandbox("uo");
        var file = sandbox.WriteFile("two.yaml", Topologies.TwoSites(sandbox.Name));

        foreach (var timeout in new[] { "0", "-5", "1e300", "NaN" })
        {
            var result = await sandbox.RunAsync("up", file, "--timeout", timeout);

            CliAssert.Exit(ExitCodes.Failed, result);
            Assert.Equal($"error: --timeout takes 1 to 86400 seconds, not '{timeout}'", Assert.Single(result.ErrorLines));
            Assert.Empty(sandbox.Namespaces());
            Assert.True(sandbox.StateDirIsEmpty(), $"up --timeout {timeout} left something in the state directory");
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Up_TerminatedWhileWaitingForTheOverlay_RollsBackAndExitsCancelled()
    {
        var root = RootSnapshot.Take();
        await using var sandbox = new CliSandbox("ut");
        var file = sandbox.WriteFile("two.yaml", Topologies.TwoSites(sandbox.Name));

        // A tunnel "binary" that runs but never connects: up waits for reachability until it is stopped.
        var fakeOpenVpn = sandbox.WriteFile("openvpn", "#!/bin/sh\nexec sleep 600\n");
        File.SetUnixFileMode(fakeOpenVpn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var up = sandbox.Start(new Dictionary<string, string> { ["GEOSTAGE_OPENVPN"] = fakeOpenVpn }, "up", file, "--timeout", "300");
        await Wait.UntilAsync(() => up.Stderr.Contains("waiting until", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "up to start waiting for reachability");
        var routers = new[] { "east", "west" }.Select(site => LocalNames.Router(sandbox.Name, site)).ToList();
        await Wait.UntilAsync(() => routers.All(ns => FakeTunnels(ns).Count == 1), TimeSpan.FromSeconds(30), "a fake tunnel process in each router");
        var started = routers.Select(ns => FakeTunnels(ns)[0]).Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid))).ToList();
        Assert.All(started, p => Assert.NotNull(p.Ticks));

        // SIGTERM rather than SIGINT: a shell starting tests in the background makes them ignore SIGINT, and
        // System.CommandLine turns both into the same cancellation.
        RootSnapshot.Run("kill", "-TERM", up.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await up.WaitAsync(CliSandbox.Timeout);

        CliAssert.Exit(ExitCodes.Cancelled, result);
        Assert.Contains("error: cancelled", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "the rollback left something in the state directory");
        Assert.All(started, p => Assert.False(ProcTable.IsAlive(p.Pid, p.Ticks!.Value), $"pid {p.Pid} still runs after the rollback"));
        Assert.Equal(root, RootSnapshot.Take());
    }

    /// <summary>The PIDs of the fake OpenVPN (sleep) running in namespace <paramref name="ns"/>.</summary>
    private static List<int> FakeTunnels(string ns) =>
        [.. RootSnapshot.Run("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Where(pid => Comm(pid) == "sleep")];

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
