using GeoStage.Core.Model;
using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Validation;

public sealed class SpecOverlayTests
{
    private static string ThreeSites(string overlay) => $$"""
        name: x
        wan: 10.4.0.0/16
        sites:
          - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
          - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2 }
          - { name: c, cidr: 192.168.30.0/24, router: 10.4.0.3 }
        {{overlay}}
        """;

    [Fact]
    public void Load_NoOverlay_IsAnOpenVpnMeshFromTheDefaultPort()
    {
        var overlay = Load(ThreeSites("")).Overlay;

        Assert.Equal((OverlayBackend.OpenVpn, OverlayTopology.Mesh, 1194), (overlay.Backend, overlay.Topology, overlay.BasePort));
        Assert.Equal([("a", "b", 1194), ("a", "c", 1195), ("b", "c", 1196)], overlay.Tunnels.Select(t => (t.Server, t.Client, t.Port)));
    }

    [Fact]
    public void Load_Port_NumbersTheTunnelsFromIt()
    {
        var overlay = Load(ThreeSites("overlay: { port: 2000 }")).Overlay;

        Assert.Equal([2000, 2001, 2002], overlay.Tunnels.Select(t => t.Port));
    }

    [Fact]
    public void Load_HighestPortThatFitsAllTunnels_IsAccepted()
    {
        var overlay = Load(ThreeSites("overlay: { port: 65533 }")).Overlay;

        Assert.Equal(65535, overlay.Tunnels[^1].Port);
    }

    [Fact]
    public void Load_PortWhoseLastTunnelPassesTheMaximum_SaysWhichPortsFit()
    {
        var error = SingleError(ThreeSites("overlay: { port: 65534 }"));

        AssertError(error, 7, 18, "overlay.port", "'65534' is not a usable first port for 3 tunnels; use a number from 1 to 65533");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1194.5")]
    public void Load_PortThatIsNotAPositiveNumber_IsAnError(string port)
    {
        var error = SingleError(ThreeSites($"overlay: {{ port: {port} }}"));

        AssertError(error, 7, 18, "overlay.port", $"'{port}' is not a usable first port");
    }

    [Fact]
    public void Load_Wireguard_ModelHasTheWireGuardBackend()
    {
        var model = Load(ThreeSites("""
            overlay:
              backend: wireguard
            """));

        Assert.Equal(OverlayBackend.WireGuard, model.Overlay.Backend);
        Assert.Equal(3, model.Overlay.Tunnels.Count);
    }

    [Fact]
    public void Load_UnknownBackend_ListsTheSupportedOnes()
    {
        var error = SingleError(ThreeSites("""
            overlay:
              backend: ipsec
            """));

        AssertError(error, 8, 12, "overlay.backend", "unknown overlay backend 'ipsec'; supported: openvpn, wireguard");
    }

    [Fact]
    public void Load_UnknownTopology_ListsTheSupportedOnes()
    {
        var error = SingleError(ThreeSites("""
            overlay:
              backend: openvpn
              topology: star
            """));

        AssertError(error, 9, 13, "overlay.topology", "unknown overlay topology 'star'; supported: mesh");
    }

    [Fact]
    public void Load_OneSite_PlansNoTunnel()
    {
        var overlay = Load("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """).Overlay;

        Assert.Empty(overlay.Tunnels);
    }
}
