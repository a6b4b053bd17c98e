using System.Net;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Validation;

/// <summary>CIDRs and router addresses: shape, overlaps with each other, the WAN and the host.</summary>
public sealed class SpecNetworkTests
{
    private static SpecError SiteError(string sites, params HostNetwork[] hostNetworks) =>
        SingleError($$"""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
            {{sites}}
            """, hostNetworks);

    [Fact]
    public void Load_OverlappingSiteCidrs_NamesTheEarlierSite()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.0.0/16, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "192.168.0.0/16 overlaps site 'a' (192.168.10.0/24)");
    }

    [Fact]
    public void Load_SiteCidrInsideTheWan_IsAnError()
    {
        var error = SiteError("  - { name: b, cidr: 10.4.8.0/24, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "10.4.8.0/24 overlaps the WAN 10.4.0.0/16");
    }

    [Fact]
    public void Load_CidrWithHostBits_SuggestsTheNetwork()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.5/24, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "has host bits set; did you mean 192.168.20.0/24?");
    }

    [Fact]
    public void Load_Ipv6Cidr_SaysOnlyIpv4IsSupported()
    {
        var error = SiteError("  - { name: b, cidr: \"2001:db8::/32\", router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "is IPv6; only IPv4 is supported");
    }

    [Fact]
    public void Load_Ipv6Router_SaysOnlyIpv4IsSupported()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: \"fe80::1\" }");

        AssertError(error, 5, 47, "sites[1].router", "'fe80::1' is IPv6; only IPv4 is supported");
    }

    [Fact]
    public void Load_CidrThatIsNotAnAddress_ShowsTheExpectedForm()
    {
        var error = SiteError("  - { name: b, cidr: banana, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "'banana' is not a CIDR; write it as address/prefix");
    }

    [Fact]
    public void Load_CidrWithBadAddress_SaysItIsNotIpv4()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.300.0/24, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "'192.168.300.0' is not an IPv4 address");
    }

    [Fact]
    public void Load_RouterOutsideTheWan_IsAnError()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: 10.5.0.2 }");

        AssertError(error, 5, 47, "sites[1].router", "10.5.0.2 is not a host address of the WAN 10.4.0.0/16");
    }

    [Fact]
    public void Load_RouterOnTheWanNetworkAddress_IsAnError()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.0 }");

        AssertError(error, 5, 47, "sites[1].router", "10.4.0.0 is not a host address of the WAN");
    }

    [Fact]
    public void Load_TwoRoutersWithOneWanAddress_NamesTheFirstSite()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.1 }");

        AssertError(error, 5, 47, "sites[1].router", "10.4.0.1 is already the router of site 'a'");
    }

    [Fact]
    public void Load_GatewayOutsideTheSite_IsAnError()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2, gateway: 192.168.21.1 }");

        AssertError(error, 5, 66, "sites[1].gateway", "192.168.21.1 is not a host address of the site's CIDR 192.168.20.0/24");
    }

    [Fact]
    public void Load_GatewayOnTheBroadcastAddress_IsAnError()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2, gateway: 192.168.20.255 }");

        AssertError(error, 5, 66, "sites[1].gateway", "is not a host address of the site's CIDR");
    }

    [Fact]
    public void Load_SiteSmallerThanASlash30_IsTooSmall()
    {
        var error = SiteError("  - { name: b, cidr: 192.168.20.0/31, router: 10.4.0.2 }");

        AssertError(error, 5, 22, "sites[1].cidr", "too small for a router and a node; use at most a /30");
    }

    [Fact]
    public void Load_GatewayAbsentOrQuotedEmpty_IsTheFirstHost()
    {
        var model = Load("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
              - { name: b, cidr: 192.168.20.0/30, router: 10.4.0.2, gateway: "" }
              - { name: c, cidr: 192.168.30.0/24, router: 10.4.0.3, gateway: 192.168.30.254 }
            """);

        Assert.Equal(["192.168.10.1", "192.168.20.1", "192.168.30.254"], model.Sites.Select(s => s.Gateway.ToString()));
    }

    [Fact]
    public void Load_SiteOverlappingAHostNetwork_NamesTheHostNetwork()
    {
        var host = new HostNetwork(IPNetwork.Parse("192.0.2.0/24"), "dev eth0");

        var error = SiteError("  - { name: b, cidr: 192.0.2.0/25, router: 10.4.0.2 }", host);

        AssertError(error, 5, 22, "sites[1].cidr", "192.0.2.0/25 overlaps 192.0.2.0/24, a network of this host (dev eth0)");
    }

    [Fact]
    public void Load_WanOverlappingAHostNetwork_NamesTheHostNetwork()
    {
        var host = new HostNetwork(IPNetwork.Parse("10.4.200.0/24"), "dev docker0");

        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """, host);

        AssertError(error, 2, 6, "wan", "overlaps 10.4.200.0/24, a network of this host (dev docker0)");
    }

    [Fact]
    public void Load_HostNetworkNextToTheSite_IsAccepted()
    {
        var host = new HostNetwork(IPNetwork.Parse("192.168.11.0/24"), "dev eth0");

        var model = Load("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """, host);

        Assert.Single(model.Sites);
    }

    [Theory]
    [InlineData("127.1.0.0/16", "loopback (127.0.0.0/8)")]
    [InlineData("169.254.1.0/24", "link-local (169.254.0.0/16)")]
    [InlineData("224.0.0.0/24", "multicast (224.0.0.0/4)")]
    [InlineData("240.0.0.0/24", "reserved (240.0.0.0/4)")]
    [InlineData("0.0.0.0/0", "'this network' (0.0.0.0/8)")]
    public void Load_SiteInAReservedRange_IsRejected(string cidr, string why)
    {
        var error = SiteError($"  - {{ name: b, cidr: {cidr}, router: 10.4.0.2 }}");

        AssertError(error, 5, 22, "sites[1].cidr", $"{cidr} overlaps {why}; use a private range");
    }
}
