using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>What the local backend makes of a per-site (WireGuard) plan, no root needed: names, ip commands, wg arguments.</summary>
public sealed class WireGuardPlanCommandsTests
{
    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: pw
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
          - { name: north, cidr: 10.93.0.0/24, router: 10.9.0.3 }
        overlay: { backend: wireguard }
        """,
        "t.yaml",
        []);

    [Fact]
    public void SiteOverlay_Names_UniquePerSiteAndEnvironmentWithinLinuxsLimit()
    {
        var names = new[] { "pw", "pw2", "a-very-long-environment-name" }
            .SelectMany(env => s_model.Sites.Select(s => LocalNames.SiteOverlay(env, s)))
            .ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.InRange(n.Length, 1, 15));
        Assert.Equal(LocalNames.SiteOverlay("pw", s_model.Site("east")), LocalNames.SiteOverlay("pw", s_model.Site("east")));
    }

    [Fact]
    public void RouterCommands_SiteInterface_NotMadeWithTheLinks()
    {
        var commands = LocalBackend.RouterCommands(s_model, s_model.Site("east"));

        Assert.DoesNotContain(commands, c => c.Contains("wg", StringComparison.Ordinal) || c.Contains("tuntap", StringComparison.Ordinal));
    }

    [Fact]
    public void TunnelRoutes_EachEnd_RoutedThroughTheSitesOneInterface()
    {
        var device = LocalNames.SiteOverlay("pw", s_model.Site("west"));

        var routes = s_model.Overlay.Tunnels.Where(t => t.Joins("west")).SelectMany(t => LocalBackend.TunnelRoutes(s_model, s_model.Site("west"), t, "add"));

        Assert.Equal([$"route add 10.91.0.0/24 dev {device} src 10.92.0.1", $"route add 10.93.0.0/24 dev {device} src 10.92.0.1"], routes);
    }

    [Fact]
    public void ExpectedDevices_PerSite_OneInterfaceRoutedToEveryPeer()
    {
        var tunnels = LocalBackend.ExpectedDevices(s_model).Where(d => d.Role == LocalBackend.DeviceRole.Tunnel).ToList();

        Assert.Equal(3, tunnels.Count);
        var east = Assert.Single(tunnels, d => d.Site!.Name == "east");
        Assert.Equal(LocalNames.SiteOverlay("pw", s_model.Site("east")), east.Device);
        Assert.Equal([IPNetwork.Parse("10.92.0.0/24"), IPNetwork.Parse("10.93.0.0/24")], east.Routes);
        Assert.Null(east.Tunnel);
    }

    [Fact]
    public void WgSet_OnePeer_KeyPortAndThatPeerPinned()
    {
        var wg = new PlannedWireGuard("wg0-x", "/k/east.wg.key", 1194, []);
        PlannedPeer[] peers = [new("west", "WEST=", IPEndPoint.Parse("10.9.0.2:1194"), IPNetwork.Parse("10.92.0.0/24"), 25)];

        var args = LocalBackend.WgSet(wg, peers);

        Assert.Equal(
            ["set", "wg0-x", "listen-port", "1194", "private-key", "/k/east.wg.key",
             "peer", "WEST=", "endpoint", "10.9.0.2:1194", "allowed-ips", "10.92.0.0/24", "persistent-keepalive", "25"],
            args);
    }
}
