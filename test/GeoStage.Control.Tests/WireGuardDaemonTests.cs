using System.Diagnostics;
using GeoStage.Core.Processes;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GeoStage.Control.Tests;

/// <summary>The daemon keeping a WireGuard seed whole: a killed wireguard-go, a deleted WAN leg.</summary>
public sealed class WireGuardDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_repair = TimeSpan.FromSeconds(30);

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task Daemon_KilledWireGuardGo_RestartedWithItsPeersAndOverlayWhole()
    {
        await using var env = await DaemonEnv.StartAsync(Seed("wk"));
        var victim = env.Store.Load(env.Name)!.Processes.Single(p => p.Role == "wireguard" && p.Site == "b");

        var clock = Stopwatch.StartNew();
        RootSnapshot.Run("kill", "-9", victim.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Wait.UntilAsync(
            () => env.Store.Load(env.Name)!.Processes.Single(p => p.Site == "b") is var now && now.Pid != victim.Pid && ProcTable.IsAlive(now.Pid, now.StartTicks),
            s_repair,
            "site b's wireguard-go to be running again");
        var reach = await env.WaitFullReachAsync(s_repair);
        output.WriteLine($"56/56 again {clock.ElapsedMilliseconds} ms after the kill; events: {string.Join(" | ", (await env.EventsAsync()).Select(e => e.Message))}");

        Assert.Equal(56, reach.ReachableCount);
        Assert.Equal(2, RootSnapshot.Run("wg", "show", LocalNames.SiteOverlay(env.Name, env.Model.Site("b")), "peers").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(3, env.Store.Load(env.Name)!.Processes.Count(p => p.Role == "wireguard" && ProcTable.IsAlive(p.Pid, p.StartTicks)));
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task Daemon_WanLegDeleted_RecreatedAndWireGuardGoRestartedConfigured()
    {
        await using var env = await DaemonEnv.StartAsync(Seed("ww"));
        var router = LocalNames.Router(env.Name, "b");

        RootSnapshot.Run("ip", "-n", router, "link", "del", "wan0");
        await env.WaitEventAsync("device-repaired", "wan0 of router b", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);

        Assert.Equal(56, reach.ReachableCount);
        Assert.Contains(await env.EventsAsync(), e => e.Kind == "device-repaired" && e.Message.Contains("restarted WireGuard of site b", StringComparison.Ordinal));
        Assert.Equal(3, env.Store.Load(env.Name)!.Processes.Count(p => p.Role == "wireguard" && ProcTable.IsAlive(p.Pid, p.StartTicks)));
    }

    private static string Seed(string prefix) =>
        Topologies.Seed(TempState.UniqueName(prefix)).Replace("backend: openvpn", "backend: wireguard", StringComparison.Ordinal);
}
