using GeoStage.Core.Model;
using GeoStage.Overlay.OpenVpn;
using Xunit;

namespace GeoStage.Overlay.Tests;

public sealed class OverlayDriversTests
{
    [Fact]
    public void For_OpenVpnName_TheOpenVpnDriver()
    {
        var driver = OverlayDrivers.For("openvpn");

        Assert.IsType<OpenVpnDriver>(driver);
        Assert.Equal("OpenVPN", driver.DisplayName);
    }

    [Fact]
    public void For_ModelBackend_DriverWithTheSpecsName()
    {
        Assert.Equal("openvpn", OverlayDrivers.For(OverlayBackend.OpenVpn).Name);
        Assert.Equal("wireguard", OverlayDrivers.For(OverlayBackend.WireGuard).Name);
    }

    [Fact]
    public void For_UnknownName_ErrorNamesItAndListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => OverlayDrivers.For("ipsec"));

        Assert.StartsWith("unknown overlay backend 'ipsec'; known: openvpn, wireguard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_EveryDriver_FoundByItsName()
    {
        Assert.All(OverlayDrivers.Names, name => Assert.Equal(name, OverlayDrivers.For(name).Name));
    }
}
