using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Validation;
using GeoStage.Overlay.OpenVpn;
using Xunit;

namespace GeoStage.Overlay.Tests.OpenVpn;

/// <summary>The OpenVPN driver's keys and plans, read as data: executing them is the local backend's (its root tests).</summary>
public sealed class OpenVpnDriverTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: ov
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
        """,
        "t.yaml",
        []);

    private readonly OpenVpnDriver _driver = new();

    private static TunnelModel Tunnel => s_model.Overlay.Tunnels.Single();

    [Fact]
    public void PlanNetwork_ClientEnd_OneTunDeviceRoutedToThePeerSiteFromTheLanAddress()
    {
        var plan = _driver.PlanNetwork(new TunnelEnd(s_model, Tunnel, "west", "tun-east"));

        Assert.Equal(new PlannedDevice("tun-east", PlannedDeviceKind.Tun), Assert.Single(plan.Devices));
        Assert.Empty(plan.Addresses);
        Assert.Equal(new PlannedRoute(IPNetwork.Parse("10.91.0.0/24"), "tun-east", IPAddress.Parse("10.92.0.1")), Assert.Single(plan.Routes));
        Assert.Empty(plan.Files);
        Assert.Null(plan.Process);
    }

    [Fact]
    public void Plan_ServerEnd_RunsOpenVpnOnTheConfigItWrites()
    {
        using var dir = new TempDir();

        var plan = _driver.Plan(new TunnelEnd(s_model, Tunnel, "east", "tun-west"), new TunnelEndInputs(dir.Path, "/logs", "AA:BB"));

        var config = Assert.Single(plan.Files);
        Assert.Equal(Path.Combine(dir.Path, "east-west.conf"), config.Path);
        Assert.Equal(["openvpn", "--config", config.Path], plan.Process!.Command);
        Assert.Equal("/logs/openvpn-east-west.log", plan.Process.LogFile);
        Assert.Equal(_driver.PlanNetwork(new TunnelEnd(s_model, Tunnel, "east", "tun-west")).Routes, plan.Routes);
    }

    [Fact]
    public void Plan_AnyEnd_ConfigNamesTheDeviceKeysAndPeerKey()
    {
        using var dir = new TempDir();

        var plan = _driver.Plan(new TunnelEnd(s_model, Tunnel, "west", "tun-east"), new TunnelEndInputs(dir.Path, "/logs", "AA:BB"));

        var lines = Assert.Single(plan.Files).Content.Split('\n');
        Assert.Contains("dev tun-east", lines);
        Assert.Contains($"key {Path.Combine(dir.Path, "west.key")}", lines);
        Assert.Contains($"tls-crypt {Path.Combine(dir.Path, "east-west.tlscrypt")}", lines);
        Assert.Contains("peer-fingerprint AA:BB", lines);
    }

    [Fact]
    public void CreateSiteKeys_Files_Mode0600AndPublicKeyReadableBack()
    {
        using var dir = new TempDir();

        var keys = _driver.CreateSiteKeys(dir.Path, "ov", "east", TimeProvider.System);

        Assert.Equal(2, keys.Files.Count);
        Assert.All(keys.Files, f => Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(f)));
        Assert.Equal(keys.PublicKey, _driver.ReadPublicKey(dir.Path, "east"));
        Assert.DoesNotContain("PRIVATE", keys.PublicKey, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTunnelKeys_SharedKey_Mode0600AndGoneAfterDelete()
    {
        using var dir = new TempDir();

        var file = Assert.Single(_driver.CreateTunnelKeys(dir.Path, Tunnel));
        var mode = File.GetUnixFileMode(file);
        _driver.DeleteTunnelKeys(dir.Path, Tunnel);

        Assert.Equal(OwnerReadWrite, mode);
        Assert.False(File.Exists(file));
    }
}
