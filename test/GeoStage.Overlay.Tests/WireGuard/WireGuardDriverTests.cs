using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Validation;
using GeoStage.Overlay.WireGuard;
using Xunit;

namespace GeoStage.Overlay.Tests.WireGuard;

/// <summary>The WireGuard driver's keys and plans, read as data: executing them is the local backend's (its root tests).</summary>
public sealed class WireGuardDriverTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: wg
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
          - { name: north, cidr: 10.93.0.0/24, router: 10.9.0.3 }
        overlay:
          backend: wireguard
          port: 51820
        """,
        "t.yaml",
        []);

    private static readonly Dictionary<string, string> s_keys = new() { ["east"] = "EAST=", ["west"] = "WEST=", ["north"] = "NORTH=" };

    private readonly WireGuardDriver _driver = new();

    [Fact]
    public void Scope_WireGuard_PlansPerSite()
    {
        Assert.Equal(OverlayScope.Site, _driver.Scope);
        Assert.Equal(["wireguard-go", "wg"], _driver.RequiredTools);
        Assert.Throws<NotSupportedException>(() => _driver.Plan(new TunnelEnd(s_model, s_model.Overlay.Tunnels[0], "east", "wg0"), new TunnelEndInputs("/k", "/l", "K=")));
    }

    [Fact]
    public void PlanNetwork_AnEnd_TheSitesInterfaceRoutedToThatPeerFromTheLanAddress()
    {
        var tunnel = s_model.Overlay.Tunnels.Single(t => t.Joins("west") && t.Joins("north"));

        var plan = _driver.PlanNetwork(new TunnelEnd(s_model, tunnel, "west", "wg1-abc"));

        Assert.Equal(new PlannedDevice("wg1-abc", PlannedDeviceKind.WireGuard), Assert.Single(plan.Devices));
        Assert.Equal(new PlannedRoute(IPNetwork.Parse("10.93.0.0/24"), "wg1-abc", IPAddress.Parse("10.92.0.1")), Assert.Single(plan.Routes));
        Assert.Null(plan.Process);
    }

    [Fact]
    public void PlanSite_Userspace_OneWireGuardGoCarryingEveryPeerPinnedByKeyAndCidr()
    {
        var plan = _driver.PlanSite(new OverlaySite(s_model, "east", "wg0-abc"), new SiteInputs("/keys", "/logs", s_keys, KernelDevice: false));

        Assert.Equal(new PlannedDevice("wg0-abc", PlannedDeviceKind.WireGuard), Assert.Single(plan.Devices));
        Assert.Equal(["wireguard-go", "-f", "wg0-abc"], plan.Process!.Command);
        Assert.Equal("/logs/wireguard-east.log", plan.Process.LogFile);
        Assert.Empty(plan.Files);
        Assert.Equal(["10.92.0.0/24", "10.93.0.0/24"], plan.Routes.Select(r => r.Destination.ToString()));
        Assert.All(plan.Routes, r => Assert.Equal(IPAddress.Parse("10.91.0.1"), r.Source));
        var wg = plan.WireGuard!;
        Assert.Equal("wg0-abc", wg.Device);
        Assert.Equal("/keys/east.wg.key", wg.PrivateKeyFile);
        Assert.Equal(51820, wg.ListenPort);
        Assert.Equal(
            [
                new PlannedPeer("west", "WEST=", IPEndPoint.Parse("10.9.0.2:51820"), IPNetwork.Parse("10.92.0.0/24"), 25),
                new PlannedPeer("north", "NORTH=", IPEndPoint.Parse("10.9.0.3:51820"), IPNetwork.Parse("10.93.0.0/24"), 25),
            ],
            wg.Peers);
    }

    [Fact]
    public void PlanSite_KernelDevice_NoProcess()
    {
        var plan = _driver.PlanSite(new OverlaySite(s_model, "north", "wg2-abc"), new SiteInputs("/keys", "/logs", s_keys, KernelDevice: true));

        Assert.Null(plan.Process);
        Assert.Equal(2, plan.WireGuard!.Peers.Count);
    }

    [Fact]
    public void CreateSiteKeys_PrivateKey_Mode0600AndPublicKeyItsX25519()
    {
        using var dir = new TempDir();

        var keys = _driver.CreateSiteKeys(dir.Path, "wg", "east", TimeProvider.System);

        var file = Assert.Single(keys.Files);
        Assert.Equal(Path.Combine(dir.Path, "east.wg.key"), file);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
        var secret = Convert.FromBase64String(File.ReadAllText(file).Trim());
        Assert.Equal(32, secret.Length);
        Assert.Equal(Convert.ToBase64String(X25519.PublicKeyOf(secret)), keys.PublicKey);
        Assert.Equal(keys.PublicKey, _driver.ReadPublicKey(dir.Path, "east"));
        Assert.NotEqual(keys.PublicKey, _driver.CreateSiteKeys(dir.Path, "wg", "west", TimeProvider.System).PublicKey);
    }

    [Fact]
    public void CreateSiteKeys_ExistingLooseFile_Rewritten0600()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "east.wg.key");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        _driver.CreateSiteKeys(dir.Path, "wg", "east", TimeProvider.System);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void PublicKeyOf_Rfc7748Vectors_MatchAliceAndBob()
    {
        // RFC 7748, section 6.1.
        Assert.Equal(
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            Convert.ToHexStringLower(X25519.PublicKeyOf(Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))));
        Assert.Equal(
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            Convert.ToHexStringLower(X25519.PublicKeyOf(Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))));
    }

    [Fact]
    public void ScalarMult_SharedSecret_SameFromBothSides()
    {
        var alice = X25519.NewPrivateKey();
        var bob = X25519.NewPrivateKey();

        Assert.Equal(X25519.ScalarMult(alice, X25519.PublicKeyOf(bob)), X25519.ScalarMult(bob, X25519.PublicKeyOf(alice)));
    }
}
