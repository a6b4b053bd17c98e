using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Validation;

/// <summary>Node addresses, written or allocated, and the sites nodes refer to.</summary>
public sealed class SpecNodeTests
{
    private static SpecError NodeError(string nodes) =>
        SingleError($$"""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
              - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2, gateway: 192.168.20.254 }
            nodes:
            {{nodes}}
            """);

    [Fact]
    public void Load_AddressOutsideTheSite_IsAnError()
    {
        var error = NodeError("  - { name: n1, site: a, address: 192.168.20.5 }");

        AssertError(error, 7, 35, "nodes[0].address", "192.168.20.5 is not a host address of site 'a' (192.168.10.0/24)");
    }

    [Fact]
    public void Load_AddressOnTheBroadcastAddress_IsAnError()
    {
        var error = NodeError("  - { name: n1, site: a, address: 192.168.10.255 }");

        AssertError(error, 7, 35, "nodes[0].address", "is not a host address of site 'a'");
    }

    [Fact]
    public void Load_AddressOfAnotherNode_NamesThatNode()
    {
        var error = NodeError("""
              - { name: n1, site: a, address: 192.168.10.7 }
              - { name: n2, site: a, address: 192.168.10.7 }
            """);

        AssertError(error, 8, 35, "nodes[1].address", "192.168.10.7 is already used by node 'n1'");
    }

    [Fact]
    public void Load_AddressOfTheDefaultGateway_NamesTheRouter()
    {
        var error = NodeError("  - { name: n1, site: a, address: 192.168.10.1 }");

        AssertError(error, 7, 35, "nodes[0].address", "192.168.10.1 is already used by the router of site 'a'");
    }

    [Fact]
    public void Load_AddressOfAWrittenGateway_NamesTheRouter()
    {
        var error = NodeError("  - { name: n1, site: b, address: 192.168.20.254 }");

        AssertError(error, 7, 35, "nodes[0].address", "already used by the router of site 'b'");
    }

    [Fact]
    public void Load_SameAddressInTwoSites_IsNoCollision()
    {
        var model = Load("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
              - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2 }
            nodes:
              - { name: n1, site: a, address: 192.168.10.9 }
              - { name: n2, site: b, address: 192.168.20.9 }
            """);

        Assert.Equal(["192.168.10.9", "192.168.20.9"], model.Nodes.Select(n => n.Address.ToString()));
    }

    [Fact]
    public void Load_UnknownSite_ListsTheSites()
    {
        var error = NodeError("  - { name: n1, site: q }");

        AssertError(error, 7, 23, "nodes[0].site", "unknown site 'q'; sites defined: a, b");
    }

    [Fact]
    public void Load_AddressThatIsNotAnAddress_IsAnError()
    {
        var error = NodeError("  - { name: n1, site: a, address: 192.168.10 }");

        AssertError(error, 7, 35, "nodes[0].address", "'192.168.10' is not an IPv4 address");
    }

    [Fact]
    public void Load_NodesWithoutAddress_GetTheLowestFreeHostsSkippingGatewayAndWrittenAddresses()
    {
        var model = Load("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
              - { name: b, cidr: 192.168.20.0/29, router: 10.4.0.2, gateway: 192.168.20.3 }
            nodes:
              - { name: n1, site: a }
              - { name: m1, site: b }
              - { name: n2, site: a }
              - { name: n3, site: a, address: 192.168.10.4 }
              - { name: n4, site: a, address: "" }
              - { name: n5, site: a, address: 192.168.10.3 }
              - { name: m2, site: b }
              - { name: m3, site: b }
            """);

        Assert.Equal(
            [
                ("n1", "192.168.10.2", true),
                ("m1", "192.168.20.1", true),
                ("n2", "192.168.10.5", true),
                ("n3", "192.168.10.4", false),
                ("n4", "192.168.10.6", true),
                ("n5", "192.168.10.3", false),
                ("m2", "192.168.20.2", true),
                ("m3", "192.168.20.4", true),
            ],
            model.Nodes.Select(n => (n.Name, n.Address.ToString(), n.Allocated)));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], model.Nodes.Select(n => n.Index));
    }

    [Fact]
    public void Load_FullSlash29_ReportsTheNodeThatDoesNotFit()
    {
        var errors = Errors("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/29, router: 10.4.0.1 }
            nodes:
              - { name: n1, site: a }
              - { name: n2, site: a }
              - { name: n3, site: a }
              - { name: n4, site: a, address: 192.168.10.6 }
              - { name: n5, site: a }
              - { name: n6, site: a }
              - { name: n7, site: a }
            """);

        Assert.Equal(2, errors.Count);
        AssertError(errors[0], 11, 5, "nodes[5]", "site 'a' (192.168.10.0/29) has no free address left for node 'n6'; widen the site's CIDR");
        AssertError(errors[1], 12, 5, "nodes[6]", "no free address left for node 'n7'");
    }

    [Fact]
    public void Load_ValidLabels_AreKept()
    {
        var model = Load("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - name: n1
                site: a
                labels:
                  role: master
                  example.com/tier: gold_1.x
                  Zone-A: "eu.west-1"
                  empty: ""
                  replicas: 3
            """);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["role"] = "master",
                ["example.com/tier"] = "gold_1.x",
                ["Zone-A"] = "eu.west-1",
                ["empty"] = "",
                ["replicas"] = "3",
            },
            Assert.Single(model.Nodes).Labels);
    }

    [Fact]
    public void Load_InvalidLabels_AreEachReported()
    {
        var errors = Errors($$"""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - name: n1
                site: a
                labels:
                  _bad: x
                  ok: -bad
                  "a b": y
                  long: {{new string('v', 64)}}
              - name: n2
                site: a
                labels: [a, b]
            """);

        Assert.Equal(5, errors.Count);
        AssertError(errors[0], 8, 13, "nodes[0].labels._bad", "label key '_bad' is not valid");
        AssertError(errors[1], 9, 11, "nodes[0].labels.ok", "label value '-bad' is not valid");
        AssertError(errors[2], 10, 14, "nodes[0].labels.a b", "label key 'a b' is not valid");
        AssertError(errors[3], 11, 13, "nodes[0].labels.long", "label value 'vvvv");
        AssertError(errors[4], 14, 13, "nodes[1].labels", "labels must be a mapping of key: value");
    }
}
