using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Planning a node to add to a running environment, with the same rules as the topology file.</summary>
public sealed class TopologyEditorTests
{
    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: x
        wan: 10.4.0.0/16
        sites:
          - { name: a, cidr: 192.168.10.0/29, router: 10.4.0.1 }
          - { name: b, cidr: 192.168.20.0/29, router: 10.4.0.2, gateway: 192.168.20.1 }
        nodes:
          - { name: n1, site: a, address: 192.168.10.2 }
          - { name: n2, site: a, address: 192.168.10.4 }
          - { name: m1, site: b, address: 192.168.20.3 }
        """,
        "x.yaml",
        []);

    [Fact]
    public void PlanNode_WithoutAddress_TakesTheLowestFreeSkippingGatewayAndUsedOnes()
    {
        var node = TopologyEditor.PlanNode(s_model, "a", "n3", null, null);

        Assert.Equal(("n3", "a", "192.168.10.3", true), (node.Name, node.Site, node.Address.ToString(), node.Allocated));
        Assert.Empty(node.Labels);
    }

    [Fact]
    public void PlanNode_WithoutAddressAfterTheFirstGap_TakesTheNextFree()
    {
        var grown = s_model with { Nodes = [.. s_model.Nodes, TopologyEditor.PlanNode(s_model, "a", "n3", null, null)] };

        var node = TopologyEditor.PlanNode(grown, "a", "n4", null, null);

        Assert.Equal("192.168.10.5", node.Address.ToString());
    }

    [Fact]
    public void PlanNode_WithoutAddress_SkipsOnlyAddressesOfItsOwnSite()
    {
        var node = TopologyEditor.PlanNode(s_model, "b", "m2", null, null);

        Assert.Equal("192.168.20.2", node.Address.ToString());
    }

    [Fact]
    public void PlanNode_FullSite_SaysSo()
    {
        var model = s_model;
        foreach (var name in new[] { "n3", "n5", "n6" })
        {
            model = model with { Nodes = [.. model.Nodes, TopologyEditor.PlanNode(model, "a", name, null, null)] };
        }

        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanNode(model, "a", "n7", null, null));

        Assert.Equal("site 'a' (192.168.10.0/29) has no free address left", error.Message);
    }

    [Fact]
    public void PlanNode_ExplicitFreeAddress_IsKeptAndNotAllocated()
    {
        var labels = new Dictionary<string, string> { ["role"] = "worker" };

        var node = TopologyEditor.PlanNode(s_model, "a", "n3", "192.168.10.6", labels);

        Assert.Equal(("192.168.10.6", false), (node.Address.ToString(), node.Allocated));
        Assert.Equal(labels, node.Labels);
    }

    [Fact]
    public void PlanNode_Index_IsOneMoreThanTheHighest()
    {
        var sparse = s_model with { Nodes = [s_model.Nodes[0] with { Index = 0 }, s_model.Nodes[2] with { Index = 7 }] };

        Assert.Equal(3, TopologyEditor.PlanNode(s_model, "a", "n3", null, null).Index);
        Assert.Equal(8, TopologyEditor.PlanNode(sparse, "a", "n3", null, null).Index);
        Assert.Equal(0, TopologyEditor.PlanNode(s_model with { Nodes = [] }, "a", "n1", null, null).Index);
    }

    [Theory]
    [InlineData("192.168.20.5", "192.168.20.5 is not a host address of site 'a' (192.168.10.0/29); pick one inside it, or omit --address")]
    [InlineData("192.168.10.7", "192.168.10.7 is not a host address of site 'a' (192.168.10.0/29)")]
    [InlineData("192.168.10.0", "192.168.10.0 is not a host address of site 'a'")]
    [InlineData("192.168.10.4", "192.168.10.4 is already used in site 'a'; pick another, or omit --address")]
    [InlineData("192.168.10.1", "192.168.10.1 is already used in site 'a'")]
    [InlineData("192.168.10", "'192.168.10' is not an IPv4 address")]
    [InlineData("node1", "'node1' is not an IPv4 address")]
    public void PlanNode_BadAddress_SaysWhy(string address, string message)
    {
        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanNode(s_model, "a", "n3", address, null));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("N3", "node name 'N3' is not a DNS-1123 label")]
    [InlineData("n_3", "node name 'n_3' is not a DNS-1123 label")]
    [InlineData("", "node name must not be empty")]
    [InlineData("n1", "node 'n1' already exists in x; pick another name")]
    [InlineData("m1", "node 'm1' already exists in x")]
    public void PlanNode_BadName_SaysWhy(string name, string message)
    {
        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanNode(s_model, "a", name, null, null));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "x", "label key '' is not valid")]
    [InlineData("role", "-x", "label value '-x' is not valid")]
    [InlineData("/role", "x", "label key '/role' is not valid")]
    [InlineData("role", "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", "label value 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...' is not valid")]
    public void PlanNode_BadLabel_SaysWhyAsTheTopologyFileDoes(string key, string value, string message)
    {
        var labels = new Dictionary<string, string> { [key] = value };

        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanNode(s_model, "a", "n3", null, labels));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanNode_ValidLabels_AreKept()
    {
        var labels = new Dictionary<string, string> { ["role"] = "db", ["example.com/tier"] = "", ["zone"] = "eu-1.a" };

        var node = TopologyEditor.PlanNode(s_model, "a", "n3", null, labels);

        Assert.Equal(labels, node.Labels);
    }

    [Fact]
    public void PlanNode_UnknownSite_ListsTheSites()
    {
        var error = Assert.Throws<InvalidRequestException>(() => TopologyEditor.PlanNode(s_model, "c", "n3", null, null));

        Assert.Equal("unknown site 'c'; sites: a, b", error.Message);
    }
}
