using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>
/// The ip commands the local backend makes of its overlay driver's plans, no root needed: the devices,
/// routes and expected devices an OpenVPN environment had before the driver seam, to the byte.
/// </summary>
public sealed class TunnelPlanCommandsTests
{
    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: pc
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
        """,
        "t.yaml",
        []);

    [Fact]
    public void RouterCommands_TunnelEnd_PersistentTunDeviceUp()
    {
        var commands = LocalBackend.RouterCommands(s_model, s_model.Site("east"));

        Assert.Equal(["tuntap add dev tun-west mode tun", "link set tun-west up"], commands.TakeLast(2));
    }

    [Theory]
    [InlineData("add")]
    [InlineData("del")]
    public void TunnelRoutes_Verb_RouteToThePeerSiteFromTheLanAddress(string verb)
    {
        var routes = LocalBackend.TunnelRoutes(s_model, s_model.Site("west"), s_model.Overlay.Tunnels.Single(), verb);

        Assert.Equal([$"route {verb} 10.91.0.0/24 dev tun-east src 10.92.0.1"], routes);
    }

    [Fact]
    public void ExpectedDevices_TunnelEnd_TheTunDeviceRoutedToThePeerSite()
    {
        var tunnel = Assert.Single(LocalBackend.ExpectedDevices(s_model), d => d.Role == LocalBackend.DeviceRole.Tunnel && d.Site!.Name == "east");

        Assert.Equal("tun-west", tunnel.Device);
        Assert.Equal([IPNetwork.Parse("10.92.0.0/24")], tunnel.Routes);
    }
}
