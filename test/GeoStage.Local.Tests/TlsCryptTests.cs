using System.Text;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Probing;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>The tunnels' control channels wrapped in a tls-crypt key per tunnel, against a keyless spoofer on the WAN.</summary>
public sealed class TlsCryptTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // 20,000 forged hard resets a second: without tls-crypt each one opens a session on router a that answers
    // the real router b, and here 11 to 16 of the 100 pings were lost; with it a drops them unanswered.
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Tunnel_HardResetFloodSpoofingThePeer_PingsAcrossItLoseAtMostOne()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("tc")));
        await env.UpAsync(measureBefore: false);
        var (a, b) = (env.Model.Site("a"), env.Model.Site("b"));
        var tunnel = env.Model.Overlay.Tunnels.Single(t => t.Joins("a") && t.Joins("b"));
        var routerA = LocalNames.Router(env.Model.Name, "a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var spoofer = await Spoofer.AttachAsync(env.Model, impersonated: b, target: a, tunnel, timeout.Token);
        var arrivedBefore = WanReceived(routerA);

        using var flood = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var flooding = spoofer.FloodAsync(perSecond: 20_000, flood.Token);
        var pings = await IcmpProber.ProbeAsync(
            [new ProbeTarget("a", routerA, "b", b.Gateway)],
            new ProbeOptions { Count = 100, Interval = TimeSpan.FromMilliseconds(100) },
            timeout.Token);
        await flood.CancelAsync();
        await flooding;

        // The flood reached router a's OpenVPN socket: its WAN leg received at least every spoofed packet.
        Assert.True(spoofer.Sent >= 50_000, $"only {spoofer.Sent} spoofed packets were sent");
        Assert.True(WanReceived(routerA) - arrivedBefore >= spoofer.Sent, $"router a received {WanReceived(routerA) - arrivedBefore} packets of {spoofer.Sent} spoofed");
        var ping = Assert.Single(pings);
        Assert.Equal(100, ping.Sent);
        Assert.True(ping.Sent - ping.Received <= 1, $"{ping.Sent - ping.Received} of {ping.Sent} pings across a-b were lost under the spoofed flood");
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_Seed_EachTunnelItsOwnPrivateKeyFoundNowhereElseInTheStateDirectory()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("tc")));
        await env.UpAsync(measureBefore: false);
        var dir = env.Store.DirectoryOf(env.Model.Name);
        var overlay = Path.Combine(dir, "overlay");

        var keys = env.Model.Overlay.Tunnels.ToDictionary(t => t, t => Path.Combine(overlay, $"{t.Server}-{t.Client}.tlscrypt"));

        Assert.Equal(3, keys.Values.Select(Material).Distinct().Count());
        foreach (var (tunnel, key) in keys)
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(key));
            foreach (var end in new[] { $"{tunnel.Server}-{tunnel.Client}.conf", $"{tunnel.Client}-{tunnel.Server}.conf" })
            {
                var config = Path.Combine(overlay, end);
                Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(config));
                Assert.Contains($"tls-crypt {key}", File.ReadAllLines(config));
            }

            // Neither as text nor as bytes in the database (and its journal), the logs or any other file.
            var hex = Material(key);
            var raw = Convert.FromHexString(hex);
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => f != key))
            {
                var bytes = File.ReadAllBytes(file);
                Assert.False(bytes.AsSpan().IndexOf(raw.AsSpan(0, 16)) >= 0, $"{file} holds the key of tunnel {tunnel.Server}-{tunnel.Client}");
                Assert.DoesNotContain(hex[..32], Encoding.ASCII.GetString(bytes), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task AddSiteAsync_NewSite_ItsTunnelsGetKeysRemovedWithTheSite()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("tc")));
        await env.UpAsync(measureBefore: false);
        var overlay = Path.Combine(env.Store.DirectoryOf(env.Model.Name), "overlay");
        var (site, tunnels) = TopologyEditor.PlanSite(env.State.Model, "north", "10.93.0.0/24", null, null, []);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var grown = await env.Backend.AddSiteAsync(env.State, site, tunnels, TimeSpan.FromSeconds(30), timeout.Token);

        string[] added = [Path.Combine(overlay, "east-north.tlscrypt"), Path.Combine(overlay, "west-north.tlscrypt")];
        Assert.All(added, key => Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(key)));
        Assert.Contains($"tls-crypt {added[0]}", File.ReadAllLines(Path.Combine(overlay, "north-east.conf")));

        await env.Backend.RemoveSiteAsync(grown, "north", timeout.Token);

        Assert.All(added, key => Assert.False(File.Exists(key), $"{key} outlived site north"));
        Assert.True(File.Exists(Path.Combine(overlay, "east-west.tlscrypt")));
    }

    /// <summary>A key file's material as one hex string.</summary>
    private static string Material(string path) =>
        string.Concat(File.ReadAllLines(path).Where(l => l.Length == 32 && !l.StartsWith('-') && !l.StartsWith('#')));

    /// <summary>Packets received by a router's WAN leg, read from inside its namespace.</summary>
    private static long WanReceived(string ns)
    {
        var json = RootSnapshot.Run("ip", "-n", ns, "-j", "-s", "link", "show", "dev", LocalNames.RouterWan);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetInt64();
    }
}
