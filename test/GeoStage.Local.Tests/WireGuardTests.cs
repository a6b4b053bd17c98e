using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>The seed topology over WireGuard, built for real: one wireguard-go per site carrying all its peers.</summary>
public sealed class WireGuardTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task UpAsync_SeedWithWireGuard_All56ThroughOneWireGuardGoPerSite()
    {
        await using var env = Env.Create(Seed());

        var result = await env.UpAsync();

        Assert.Equal(16, result.Before!.ReachableCount);
        Assert.Equal(56, result.After.ReachableCount);
        var processes = env.State.Processes;
        Assert.Equal(3, processes.Count);
        Assert.All(processes, p =>
        {
            Assert.Equal("wireguard", p.Role);
            Assert.Equal(["wireguard-go", "-f", p.Interface!], p.Command);
            Assert.True(ProcTable.IsAlive(p.Pid, p.StartTicks), $"wireguard-go of site {p.Site} is not running");
        });
        Assert.Equal(["a", "b", "c"], processes.Select(p => p.Site!).Order());

        // What runs in the routers is exactly these: one wireguard-go each, nothing per pair.
        var running = env.Model.Sites.SelectMany(s => ProcTable.InNamespace(NetNs.Identity(LocalNames.Router(env.Model.Name, s.Name)))).Order();
        Assert.Equal(processes.Select(p => p.Pid).Order(), running);
        foreach (var site in env.Model.Sites)
        {
            var routes = RootSnapshot.Run("ip", "-n", LocalNames.Router(env.Model.Name, site.Name), "-4", "route");
            foreach (var other in env.Model.Sites.Where(s => s != site))
            {
                Assert.Contains($"{other.Cidr} dev {LocalNames.SiteOverlay(env.Model.Name, site)} ", routes, StringComparison.Ordinal);
            }
        }
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task MeasureAsync_CrossSitePings_GrowTheWireGuardTransferCounters()
    {
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);
        var device = LocalNames.SiteOverlay(env.Model.Name, env.Model.Site("b"));
        var router = LocalNames.Router(env.Model.Name, "b");
        var before = Transfer(router, device);

        var reach = await env.Backend.MeasureAsync(env.State, new MeasureOptions(), CancellationToken.None);

        var after = Transfer(router, device);
        Assert.True(reach.All);

        // Site b's two nodes exchange 3 echo requests and replies with each of the six elsewhere, each way: 84 bytes of ICMP and more.
        Assert.All(env.Model.Sites.Where(s => s.Name != "b"), peer =>
        {
            var publicKey = PeerKey(env, peer.Name);
            Assert.True(after[publicKey].Received - before[publicKey].Received >= 2 * 2 * 3 * 84, $"b received {after[publicKey].Received - before[publicKey].Received} bytes from {peer.Name}");
            Assert.True(after[publicKey].Sent - before[publicKey].Sent >= 2 * 2 * 3 * 84, $"b sent {after[publicKey].Sent - before[publicKey].Sent} bytes to {peer.Name}");
        });
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task MeasureAsync_WithoutOverlay_IsolatedThenThroughWireGuardAgain()
    {
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);

        var without = await env.Backend.MeasureAsync(env.State, new MeasureOptions { Overlay = false }, CancellationToken.None);
        var with = await env.Backend.MeasureAsync(env.State, new MeasureOptions(), CancellationToken.None);

        Assert.All(without.Pairs, p => Assert.Equal(p.FromSite == p.ToSite, p.Reachable));
        Assert.Equal(56, with.ReachableCount);
        Assert.Empty(env.Backend.FindFaults(env.State));
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task AddSiteAsync_WireGuard_NewPeerAddedToRunningInterfacesThenRemoved()
    {
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);
        using var timeout = new CancellationTokenSource(s_timeout);
        var pids = env.State.Processes.ToDictionary(p => p.Site!, p => (p.Pid, p.StartTicks));
        var (site, tunnels) = TopologyEditor.PlanSite(env.State.Model, "d", "192.168.40.0/24", null, null, []);

        var grown = await env.Backend.AddSiteAsync(env.State, site, tunnels, TimeSpan.FromSeconds(30), timeout.Token);
        var node = TopologyEditor.PlanNode(grown.Model, "d", "dn1", null, null);
        grown = await env.Backend.AddNodeAsync(grown, node, timeout.Token);
        var reach = await env.Backend.MeasureAsync(grown, new MeasureOptions(), timeout.Token);

        Assert.True(reach.All, $"{reach.Pairs.Count(p => !p.Reachable)} of {reach.Total} pairs unreachable");
        Assert.Equal(72, reach.Total);
        Assert.Equal(4, grown.Processes.Count);
        Assert.All(pids, p => Assert.Contains(grown.Processes, r => r.Site == p.Key && r.Pid == p.Value.Pid && ProcTable.IsAlive(r.Pid, r.StartTicks)));
        var dKey = PeerKey(env, "d");
        Assert.All(pids.Keys, s => Assert.Contains(dKey, Peers(env, s)));
        Assert.Empty(env.Backend.FindFaults(grown));

        grown = await env.Backend.RemoveNodeAsync(grown, "dn1", timeout.Token);
        var shrunk = await env.Backend.RemoveSiteAsync(grown, "d", timeout.Token);

        var ended = Assert.Single(grown.Processes, p => p.Site == "d");
        Assert.False(ProcTable.IsAlive(ended.Pid, ended.StartTicks));
        Assert.All(pids.Keys, s => Assert.DoesNotContain(dKey, Peers(env, s)));
        Assert.All(pids.Keys, s => Assert.Equal(2, Peers(env, s).Length));
        Assert.All(pids, p => Assert.Contains(shrunk.Processes, r => r.Site == p.Key && r.Pid == p.Value.Pid));
        Assert.Empty(env.Backend.FindFaults(shrunk));
        Assert.Equal(56, (await env.Backend.MeasureAsync(shrunk, new MeasureOptions(), timeout.Token)).ReachableCount);
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task SuperviseTunnelsAsync_KilledWireGuardGo_RestartedWithItsPeersAndRoutes()
    {
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);
        using var timeout = new CancellationTokenSource(s_timeout);
        var victim = env.State.Processes.Single(p => p.Site == "b");

        // Killed outright: its control socket stays behind, which the restart must not be fooled by.
        RootSnapshot.Run("kill", "-9", victim.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Wait.UntilAsync(() => !ProcTable.IsAlive(victim.Pid, victim.StartTicks), TimeSpan.FromSeconds(10), "the killed wireguard-go to end");
        var supervision = await env.Backend.SuperviseTunnelsAsync(env.State, [], timeout.Token);

        var restart = Assert.Single(supervision.Restarted);
        Assert.Equal("b", restart.Site);
        var now = supervision.State.Processes.Single(p => p.Site == "b");
        Assert.NotEqual(victim.Pid, now.Pid);
        Assert.True(ProcTable.IsAlive(now.Pid, now.StartTicks), $"the new wireguard-go ended: {File.ReadAllText(now.LogFile)[^Math.Min(600, File.ReadAllText(now.LogFile).Length)..]}");
        Assert.Equal(2, Peers(env, "b").Length);
        var reach = await env.Backend.MeasureAsync(supervision.State, new MeasureOptions(), timeout.Token);
        Assert.Equal(56, reach.ReachableCount);
        Assert.Empty(env.Backend.FindFaults(supervision.State));
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task RepairAsync_DeletedInterface_RecreatedConfiguredAndRouted()
    {
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);
        using var timeout = new CancellationTokenSource(s_timeout);
        var device = LocalNames.SiteOverlay(env.Model.Name, env.Model.Site("c"));
        RootSnapshot.Run("ip", "-n", LocalNames.Router(env.Model.Name, "c"), "link", "del", device);

        var faults = env.Backend.FindFaults(env.State);
        var result = await env.Backend.RepairAsync(env.State, faults, timeout.Token);

        var fault = Assert.Single(faults);
        Assert.Equal((FaultKind.Missing, device), (fault.Kind, fault.Device));
        Assert.All(result.Actions, a => Assert.Null(a.Error));
        Assert.Empty(env.Backend.FindFaults(result.State));
        Assert.Equal(56, (await env.Backend.MeasureAsync(result.State, new MeasureOptions(), timeout.Token)).ReachableCount);
        Assert.Equal(3, result.State.Processes.Count(p => ProcTable.IsAlive(p.Pid, p.StartTicks)));
    }

    [RootFact("wireguard-go", "wg", "nsenter", "setsid")]
    public async Task DownAsync_WireGuard_NoProcessNamespaceOrControlSocketLeft()
    {
        var root = RootSnapshot.Take();
        await using var env = Env.Create(Seed());
        await env.UpAsync(measureBefore: false);
        var processes = env.State.Processes;
        var sockets = env.Model.Sites.Select(s => $"/var/run/wireguard/{LocalNames.SiteOverlay(env.Model.Name, s)}.sock").ToList();
        Assert.All(sockets, s => Assert.True(File.Exists(s), $"{s} missing while up"));

        // One killed outright leaves its socket: down must still leave nothing.
        RootSnapshot.Run("kill", "-9", processes[0].Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await env.Backend.DownAsync(env.State, CancellationToken.None);

        Assert.Empty(env.LeftoverNamespaces());
        Assert.All(processes, p => Assert.False(ProcTable.IsAlive(p.Pid, p.StartTicks), $"pid {p.Pid} still runs"));
        Assert.All(sockets, s => Assert.False(File.Exists(s), $"{s} left behind"));
        Assert.False(Directory.Exists(env.Store.DirectoryOf(env.Model.Name)));
        Assert.Equal(root, RootSnapshot.Take());
    }

    private static string Seed() =>
        Topologies.Seed(TempState.UniqueName("wg")).Replace("backend: openvpn", "backend: wireguard", StringComparison.Ordinal);

    private static string PeerKey(Env env, string site) =>
        new Overlay.WireGuard.WireGuardDriver().ReadPublicKey(Path.Combine(env.Store.DirectoryOf(env.Model.Name), "overlay"), site);

    private static string[] Peers(Env env, string site) =>
        RootSnapshot.Run("wg", "show", LocalNames.SiteOverlay(env.Model.Name, env.State.Model.Site(site)), "peers").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Bytes received from and sent to each peer (by public key), as <c>wg show IF transfer</c> prints them, read inside the router.</summary>
    private static Dictionary<string, (long Received, long Sent)> Transfer(string ns, string device) =>
        RootSnapshot.Run("ip", "netns", "exec", ns, "wg", "show", device, "transfer")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .ToDictionary(f => f[0], f => (long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)));
}
