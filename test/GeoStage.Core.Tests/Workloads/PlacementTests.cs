using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Which nodes a placement selects in the seed topology, and in which order.</summary>
public sealed class PlacementTests
{
    private static readonly Dictionary<string, string> s_workers = new() { ["role"] = "worker" };
    private static readonly Dictionary<string, string> s_masters = new() { ["role"] = "master" };

    private static IEnumerable<string> Select(PlacementModel placement, EnvironmentModel? model = null) =>
        placement.Select(model ?? Seed).Select(n => n.Name);

    [Fact]
    public void Select_NoFilter_IsEveryNodeInFileOrder()
    {
        Assert.Equal(["lb", "master01", "master02", "master03", "node01", "node02", "node03", "node04"], Select(new PlacementModel()));
    }

    [Fact]
    public void Select_Label_IsTheNodesWithIt()
    {
        Assert.Equal(["node01", "node02", "node03", "node04"], Select(new PlacementModel { Labels = s_workers }));
    }

    [Fact]
    public void Select_Sites_FollowsTheTopologysSiteOrderNotTheFilters()
    {
        Assert.Equal(["lb", "master01", "master02", "master03", "node03", "node04"], Select(new PlacementModel { Sites = ["c", "a"] }));
    }

    [Fact]
    public void Select_Nodes_IsThoseNodesSiteBySite()
    {
        Assert.Equal(["lb", "node01", "node04"], Select(new PlacementModel { Nodes = ["node04", "lb", "node01"] }));
    }

    [Fact]
    public void Select_SeveralFilters_Intersect()
    {
        Assert.Equal(["master01", "master02", "master03"], Select(new PlacementModel { Sites = ["a"], Labels = s_masters }));
        Assert.Equal(["lb"], Select(new PlacementModel { Sites = ["a"], Nodes = ["lb", "node01"] }));
        Assert.Empty(Select(new PlacementModel { Sites = ["b"], Labels = s_masters }));
    }

    [Fact]
    public void Select_PerSite_IsTheFirstNodesOfEachSiteInFileOrder()
    {
        Assert.Equal(["lb", "node01", "node03"], Select(new PlacementModel { PerSite = 1 }));
        Assert.Equal(["master01", "master02"], Select(new PlacementModel { Labels = s_masters, PerSite = 2 }));
        Assert.Equal(8, Select(new PlacementModel { PerSite = 10 }).Count());
    }

    [Fact]
    public void Select_NodesListedOutOfSiteOrder_AreOrderedSiteBySiteThenInFileOrder()
    {
        var model = SpecValidator.Load(
            """
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: z, cidr: 192.168.20.0/24, router: 10.4.0.2 }
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
            nodes:
              - { name: a1, site: a }
              - { name: z1, site: z }
              - { name: a2, site: a }
              - { name: z2, site: z }
              - { name: a3, site: a }
            """,
            "x.yaml",
            []);

        Assert.Equal(["z1", "z2", "a1", "a2", "a3"], Select(new PlacementModel(), model));
        Assert.Equal(["z1", "z2", "a1", "a2"], Select(new PlacementModel { PerSite = 2 }, model));
    }

    [Fact]
    public void Select_NodeAddedLater_IsPlacedToo()
    {
        var placement = new PlacementModel { Labels = s_workers };
        var added = TopologyEditor.PlanNode(Seed, "b", "node05", null, s_workers);
        var grown = Seed with { Nodes = [.. Seed.Nodes, added] };

        Assert.Equal(["node01", "node02", "node05", "node03", "node04"], Select(placement, grown));
    }

    [Fact]
    public void Select_PerSiteWhenANodeIsAdded_KeepsTheFirstNodes()
    {
        var added = TopologyEditor.PlanNode(Seed, "b", "node05", null, null);
        var grown = Seed with { Nodes = [.. Seed.Nodes, added] };

        Assert.Equal(["lb", "master01", "node01", "node02", "node03", "node04"], Select(new PlacementModel { PerSite = 2 }, grown));
    }
}
