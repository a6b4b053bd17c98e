using GeoStage.Core.Processes;
using GeoStage.Core.Backends;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>The original design's topology, built for real: namespaces, bridges, OpenVPN.</summary>
public sealed class SeedTopologyTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_Seed_BeforeOnlySameSitePairsAfterAll56()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));

        var result = await env.UpAsync();

        Assert.NotNull(result.Before);
        var reachableBefore = result.Before.Pairs.Where(p => p.Reachable).Select(p => (p.From, p.To)).ToHashSet();
        var sameSite = result.Before.Pairs.Where(p => p.FromSite == p.ToSite).Select(p => (p.From, p.To)).ToHashSet();
        Assert.Equal(56, result.Before.Total);
        Assert.Equal(16, sameSite.Count);
        Assert.Equal(sameSite, reachableBefore);
        Assert.Equal(56, result.After.ReachableCount);
        Assert.Equal(EnvironmentPhase.Up, env.State.Phase);
        Assert.Equal(6, env.State.Processes.Count);
        Assert.All(env.State.Processes, p => Assert.True(ProcTable.IsAlive(p.Pid, p.StartTicks), $"openvpn {p.Site}->{p.Peer} is not running"));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task MeasureAsync_CrossSitePings_CrossTheTunDevice()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));
        await env.UpAsync(measureBefore: false);
        var router = LocalNames.Router(env.Model.Name, "b");
        var before = TunCounters(router, "tun-a");

        var reach = await env.Backend.MeasureAsync(env.State, new MeasureOptions(), CancellationToken.None);

        var after = TunCounters(router, "tun-a");
        Assert.True(reach.All);

        // Site B's nodes probe site A's four and are probed by them: 3 requests and 3 replies per pair each way.
        var crossAb = reach.Pairs.Count(p => (p.FromSite, p.ToSite) is ("a", "b") or ("b", "a"));
        Assert.Equal(16, crossAb);
        Assert.True(after.Rx - before.Rx >= crossAb * 3, $"tun-a on router b received {after.Rx - before.Rx} packets, expected at least {crossAb * 3}");
        Assert.True(after.Tx - before.Tx >= crossAb * 3, $"tun-a on router b sent {after.Tx - before.Tx} packets, expected at least {crossAb * 3}");
        Assert.All(reach.Pairs.Where(p => p.FromSite != p.ToSite), p => Assert.Equal(62, p.Ttl));
        Assert.All(reach.Pairs.Where(p => p.FromSite == p.ToSite), p => Assert.Equal(64, p.Ttl));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task MeasureAsync_WithoutOverlay_ShowsIsolationAndRestoresTunnels()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));
        await env.UpAsync(measureBefore: false);

        var without = await env.Backend.MeasureAsync(env.State, new MeasureOptions { Overlay = false }, CancellationToken.None);
        var with = await env.Backend.MeasureAsync(env.State, new MeasureOptions(), CancellationToken.None);

        Assert.All(without.Pairs, p => Assert.Equal(p.FromSite == p.ToSite, p.Reachable));
        Assert.False(without.Overlay);
        Assert.Equal(56, with.ReachableCount);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_Routers_HaveNoRouteToOtherSitesButThroughTunnels()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));
        await env.UpAsync(measureBefore: false);

        foreach (var site in env.Model.Sites)
        {
            var ns = LocalNames.Router(env.Model.Name, site.Name);
            var routes = RootSnapshot.Run("ip", "-n", ns, "-4", "route", "show", "table", "all");
            foreach (var other in env.Model.Sites.Where(s => s != site))
            {
                var lines = routes.Split('\n').Where(l => l.StartsWith(other.Cidr.ToString(), StringComparison.Ordinal)).ToList();
                var line = Assert.Single(lines);
                Assert.Contains("dev tun-", line, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("default", routes, StringComparison.Ordinal);
            Assert.Equal("1", NetNs.ReadSysctl(ns, "net/ipv4/ip_forward"));
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task DownAsync_AfterUp_LeavesRootAsFoundAndNothingBehind()
    {
        var root = RootSnapshot.Take();
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));
        await env.UpAsync(measureBefore: false);
        var processes = env.State.Processes;

        await env.Backend.DownAsync(env.State, CancellationToken.None);

        Assert.Empty(env.LeftoverNamespaces());
        Assert.All(processes, p => Assert.False(ProcTable.IsAlive(p.Pid, p.StartTicks), $"pid {p.Pid} still runs"));
        Assert.Null(env.Store.Load(env.Model.Name));
        Assert.False(Directory.Exists(env.Store.DirectoryOf(env.Model.Name)));
        Assert.Equal(root, RootSnapshot.Take());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task ReadAsync_KilledTunnelProcess_ShowsDeadAndOthersUp()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("sd")));
        await env.UpAsync(measureBefore: false);
        var victim = env.State.Processes.First(p => p.Site == "a" && p.Peer == "b");

        await HostProcesses.StopAsync(victim.Pid, victim.StartTicks, TimeSpan.FromSeconds(3), CancellationToken.None);
        var actual = await env.Backend.ReadAsync(env.State, CancellationToken.None);

        var dead = Assert.Single(actual.Tunnels, t => t.Site == "a" && t.Peer == "b");
        Assert.False(dead.ProcessAlive);
        Assert.False(dead.Up);
        Assert.All(actual.Tunnels.Where(t => !(t.Site == "a" && t.Peer == "b") && !(t.Site == "b" && t.Peer == "a")), t => Assert.True(t.Up, $"{t.Site}->{t.Peer} should be up"));
        Assert.All(actual.Namespaces.Values, Assert.True);
    }

    /// <summary>Packets received and sent by a device, read from inside its namespace.</summary>
    private static (long Rx, long Tx) TunCounters(string ns, string device)
    {
        var json = RootSnapshot.Run("ip", "-n", ns, "-j", "-s", "link", "show", "dev", device);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var stats = document.RootElement[0].GetProperty("stats64");
        return (stats.GetProperty("rx").GetProperty("packets").GetInt64(), stats.GetProperty("tx").GetProperty("packets").GetInt64());
    }
}
