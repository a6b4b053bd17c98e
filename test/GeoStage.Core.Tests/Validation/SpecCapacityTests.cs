using System.Globalization;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Validation;

/// <summary>Topologies the host cannot hold are refused in validation, with the reason and a way out.</summary>
public sealed class SpecCapacityTests
{
    private static readonly HostLimits s_small = new(PidMax: 32_768, ThreadsMax: 192_726, ThreadsNow: 350, MaxNetNamespaces: 96_363, NetNamespacesNow: 6);

    [Fact]
    public void Load_ThreeHundredSiteMeshOnAHostOf32768Pids_RefusedNamingTunnelsProcessesAndTheMostSites()
    {
        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.Load(Sites(300), "big.yaml", [], s_small)).Errors);

        Assert.Equal(("big.yaml", 4, 3, "sites"), (error.File, error.Line, error.Column, error.Path));
        Assert.StartsWith("300 sites in an OpenVPN mesh need 44,850 tunnels and 89,700 openvpn processes; this host allows 32,768 processes (pid_max)", error.Message, StringComparison.Ordinal);

        // 32,768 - 350 running - 3,276 kept free - 8 = 29,134 processes: 171 sites need 29,070, 172 need 29,412.
        Assert.Contains("at most 171 here", error.Message, StringComparison.Ordinal);
        Assert.Contains("overlay.backend: wireguard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MostSitesTheMessageNames_Accepted()
    {
        var model = SpecValidator.Load(Sites(171), "ok.yaml", [], s_small);

        Assert.Equal(171 * 170 / 2, model.Overlay.Tunnels.Count);
    }

    [Fact]
    public void Load_ThreadsMaxTighterThanPidMax_NamesThreadsMax()
    {
        var host = s_small with { ThreadsMax = 2_000 };

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.Load(Sites(40), "t.yaml", [], host)).Errors);

        Assert.Contains("this host allows 2,000 processes (threads-max)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MoreNamespacesThanTheHostAllows_RefusedNamingTheSysctl()
    {
        var host = s_small with { MaxNetNamespaces = 10, NetNamespacesNow = 4 };

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.Load(Sites(6), "n.yaml", [], host)).Errors);

        Assert.Contains("need 7 network namespaces; this host allows 10 (user.max_net_namespaces), of which 4 exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutHostLimits_DoesNotCheckCapacity()
    {
        var model = SpecValidator.Load(Sites(300), "big.yaml", []);

        Assert.Equal(44_850, model.Overlay.Tunnels.Count);
    }

    [Fact]
    public void Read_ThisHost_ReadsEveryLimit()
    {
        var host = HostLimits.Read();

        Assert.InRange(host.PidMax, 301, int.MaxValue);
        Assert.InRange(host.ThreadsNow, 1, host.PidMax);
        Assert.True(host.ProcessesAvailable < host.PidMax);
    }

    /// <summary>A topology of <paramref name="count"/> sites, one /24 each, no nodes.</summary>
    internal static string Sites(int count) =>
        "name: big\nwan: 10.200.0.0/16\nsites:\n" + string.Concat(Enumerable.Range(0, count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"  - {{ name: s{i}, cidr: 172.{16 + (i / 256)}.{i % 256}.0/24, router: 10.200.{i / 250}.{(i % 250) + 1} }}\n")));
}

/// <summary>A site added to a running environment meets the same bounds as one in a file.</summary>
public sealed class TopologyEditorLimitTests
{
    private static readonly Core.Model.EnvironmentModel s_model = SpecValidator.Load(SpecCapacityTests.Sites(3), "x.yaml", []);

    [Fact]
    public void PlanSite_MoreTunnelsThanTheHostHasProcessesFor_Refused()
    {
        var host = new HostLimits(PidMax: 1_030, ThreadsMax: 100_000, ThreadsNow: 1, MaxNetNamespaces: 1_000, NetNamespacesNow: 0);

        var refused = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(s_model, "d", "192.168.30.0/24", null, null, [], host));

        Assert.StartsWith("another site in this 3-site OpenVPN mesh needs 3 tunnels and 6 openvpn processes; this host has 5 to spare", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanSite_LocationAboveItsBound_Refused()
    {
        var refused = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(s_model, "d", "192.168.30.0/24", null, new string('x', 50 << 20), []));

        Assert.StartsWith("the location is 52,428,800 characters long; at most 256 are allowed", refused.Message, StringComparison.Ordinal);
    }
}

/// <summary>An OpenVPN mesh whose processes would not fit in the host's memory is refused up front.</summary>
public sealed class SpecMemoryCapacityTests
{
    private static readonly HostLimits s_host = new(PidMax: 4_194_304, ThreadsMax: 4_194_304, ThreadsNow: 350, MaxNetNamespaces: 96_363, NetNamespacesNow: 6);

    [Fact]
    public void Load_TwentySiteMeshOnAHostWithTwoGiBAvailable_RefusedAtOverlayBackendSuggestingWireGuard()
    {
        // 380 openvpn processes at 9 MiB: 3.3 GiB; three quarters of 2 GiB may be used.
        var host = s_host with { MemoryAvailable = 2L << 30 };
        var yaml = SpecCapacityTests.Sites(20) + "overlay:\n  backend: openvpn\n";

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.Load(yaml, "mesh.yaml", [], host)).Errors);

        Assert.Equal(("mesh.yaml", 25, 12, "overlay.backend"), (error.File, error.Line, error.Column, error.Path));
        Assert.StartsWith("20 sites in an OpenVPN mesh need 380 openvpn processes, about 3.3 GiB of memory at 9 MiB each; this host has 2 GiB available", error.Message, StringComparison.Ordinal);
        Assert.Contains("overlay.backend: wireguard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TwentySiteMeshOnAHostWithTwentyGiBAvailable_Accepted()
    {
        var host = s_host with { MemoryAvailable = 20L << 30 };

        var model = SpecValidator.Load(SpecCapacityTests.Sites(20), "mesh.yaml", [], host);

        Assert.Equal(190, model.Overlay.Tunnels.Count);
    }

    [Fact]
    public void Load_TwentySiteWireGuardMeshOnAHostWithTwoGiBAvailable_Accepted()
    {
        // The same 20 sites that OpenVPN needs 380 processes for: WireGuard needs 20.
        var host = s_host with { MemoryAvailable = 2L << 30 };
        var yaml = SpecCapacityTests.Sites(20) + "overlay:\n  backend: wireguard\n";

        var model = SpecValidator.Load(yaml, "mesh.yaml", [], host);

        Assert.Equal(20, model.Sites.Count);
    }

    [Fact]
    public void Load_ThreeHundredSiteWireGuardMeshOnAHostOf32768Pids_Accepted()
    {
        // Refused for OpenVPN (89,700 processes); one wireguard-go per site fits easily.
        var host = s_host with { PidMax = 32_768, MemoryAvailable = 20L << 30 };
        var yaml = SpecCapacityTests.Sites(300) + "overlay:\n  backend: wireguard\n";

        var model = SpecValidator.Load(yaml, "big.yaml", [], host);

        Assert.Equal(300, model.Sites.Count);
    }

    [Fact]
    public void Load_WireGuardSitesBeyondMemory_RefusedAtSites()
    {
        var host = s_host with { MemoryAvailable = 64L << 20 };
        var yaml = SpecCapacityTests.Sites(20) + "overlay:\n  backend: wireguard\n";

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.Load(yaml, "mesh.yaml", [], host)).Errors);

        Assert.Equal("sites", error.Path);
        Assert.StartsWith("20 sites with WireGuard need about 0.2 GiB of memory for their wireguard-go processes", error.Message, StringComparison.Ordinal);
    }
}
