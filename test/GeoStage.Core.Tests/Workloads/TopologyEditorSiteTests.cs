using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Planning a site to add to a running environment: its router address and its tunnels to every site.</summary>
public sealed class TopologyEditorSiteTests
{
    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: x
        wan: 10.4.0.0/16
        sites:
          - { name: a, cidr: 192.168.10.0/29, router: 10.4.0.1 }
          - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2 }
        nodes:
          - { name: n1, site: a }
        """,
        "x.yaml",
        []);

    [Fact]
    public void PlanSite_WithoutRouter_TakesTheLowestFreeWanAddressAndTunnelsToEverySite()
    {
        var (site, tunnels) = TopologyEditor.PlanSite(s_model, "c", "192.168.30.0/24", null, "Lyon", []);

        Assert.Equal(("c", 2, "192.168.30.0/24", "10.4.0.3", "192.168.30.1", "Lyon"), (site.Name, site.Index, site.Cidr.ToString(), site.RouterWan.ToString(), site.Gateway.ToString(), site.Location));
        Assert.Equal([(1, "a", "c", 1195), (2, "b", "c", 1196)], tunnels.Select(t => (t.Index, t.Server, t.Client, t.Port)));
    }

    [Fact]
    public void PlanSite_WithAFreeRouter_KeepsIt()
    {
        var (site, _) = TopologyEditor.PlanSite(s_model, "c", "192.168.30.0/24", "10.4.9.9", null, []);

        Assert.Equal("10.4.9.9", site.RouterWan.ToString());
    }

    [Theory]
    [InlineData("C_1", "192.168.30.0/24", null, "site name 'C_1' is not a DNS-1123 label")]
    [InlineData("a", "192.168.30.0/24", null, "site 'a' already exists in x; pick another name")]
    [InlineData("c", "192.168.30.5/24", null, "has host bits set; did you mean 192.168.30.0/24?")]
    [InlineData("c", "192.168.30.0/31", null, "192.168.30.0/31 is too small for a router and a node; use at most a /30")]
    [InlineData("c", "10.4.8.0/24", null, "10.4.8.0/24 overlaps the WAN 10.4.0.0/16")]
    [InlineData("c", "192.168.10.0/25", null, "192.168.10.0/25 overlaps site 'a' (192.168.10.0/29); sites need disjoint CIDRs")]
    [InlineData("c", "192.168.30.0/24", "10.4.0.2", "10.4.0.2 is not a free host address of the WAN 10.4.0.0/16; pick another, or omit --router")]
    [InlineData("c", "192.168.30.0/24", "10.5.0.1", "10.5.0.1 is not a free host address of the WAN 10.4.0.0/16")]
    [InlineData("c", "192.168.30.0/24", "10.4.0", "'10.4.0' is not an IPv4 address")]
    public void PlanSite_BadRequest_SaysWhy(string name, string cidr, string? router, string fragment)
    {
        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(s_model, name, cidr, router, null, []));

        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanSite_OverlappingAHostNetwork_NamesIt()
    {
        var host = new HostNetwork(IPNetwork.Parse("192.168.0.0/16"), "dev wlan0 proto kernel");

        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(s_model, "c", "192.168.30.0/24", null, null, [host]));

        Assert.Equal("192.168.30.0/24 overlaps 192.168.0.0/16, a network of this host (dev wlan0 proto kernel); pick a range the host does not use", error.Message);
    }

    [Fact]
    public void PlanSite_TunnelPortsPast65535_IsRefused()
    {
        var high = s_model with { Overlay = s_model.Overlay with { BasePort = 65535 } };

        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(high, "c", "192.168.30.0/24", null, null, []));

        Assert.Equal("no UDP port left for the tunnels of another site (overlay.port 65535)", error.Message);
    }

    [Theory]
    [InlineData("127.5.0.0/24", "loopback")]
    [InlineData("169.254.10.0/24", "link-local")]
    [InlineData("224.1.0.0/24", "multicast")]
    public void PlanSite_ReservedRange_RefusedLikeInASpec(string cidr, string why)
    {
        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanSite(s_model, "d", cidr, null, null, []));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }
}
