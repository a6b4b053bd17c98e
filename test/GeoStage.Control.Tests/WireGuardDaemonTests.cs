using System.Diagnostics;
using GeoStage.Control.Api;
using GeoStage.Control.Store;
using GeoStage.Core.Backends;
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
        var reach = await WaitFullReachAsync(env);
        output.WriteLine($"56/56 again {clock.ElapsedMilliseconds} ms after the kill; events: {string.Join(" | ", Events(env).Select(e => e.Message))}");

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
        await Wait.UntilAsync(() => Events(env).Any(e => e.Kind == "device-repaired" && e.Message.StartsWith("wan0 of router b", StringComparison.Ordinal)), s_repair, "wan0 of router b repaired");
        var reach = await WaitFullReachAsync(env);

        Assert.Equal(56, reach.ReachableCount);
        Assert.Contains(Events(env), e => e.Kind == "device-repaired" && e.Message.Contains("restarted WireGuard of site b", StringComparison.Ordinal));
        Assert.Equal(3, env.Store.Load(env.Name)!.Processes.Count(p => p.Role == "wireguard" && ProcTable.IsAlive(p.Pid, p.StartTicks)));
    }

    private static string Seed(string prefix) =>
        Topologies.Seed(TempState.UniqueName(prefix)).Replace("backend: openvpn", "backend: wireguard", StringComparison.Ordinal);

    private static List<EventRecord> Events(DaemonEnv env)
    {
        using var client = env.Client();
        return [.. client.LinesAsync("v1/events", CancellationToken.None).ToBlockingEnumerable()
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<EventRecord>(l, Wire.Options)!)];
    }

    /// <summary>Measures until every pair answers (a restarted interface handshakes again first), or fails with the last count.</summary>
    private static async Task<Core.Model.Reachability> WaitFullReachAsync(DaemonEnv env)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var reach = await env.Backend.MeasureAsync(env.Store.Load(env.Name)!, new MeasureOptions { Count = 1 }, CancellationToken.None);
            if (reach.All || clock.Elapsed > s_repair)
            {
                return reach;
            }
        }
    }
}
