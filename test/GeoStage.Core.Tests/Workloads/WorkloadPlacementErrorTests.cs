using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Placements must name nodes, sites and labels the environment has.</summary>
public sealed class WorkloadPlacementErrorTests
{
    [Fact]
    public void Load_UnknownNode_ListsTheNodes()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  nodes: [node01, node99]
            """);

        AssertError(error, 5, 23, "workloads[0].placement.nodes[1]", "unknown node 'node99'; nodes: lb, master01, master02, master03, node01, node02, node03, node04");
    }

    [Fact]
    public void Load_UnknownSite_ListsTheSites()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  sites: [a, d]
            """);

        AssertError(error, 5, 18, "workloads[0].placement.sites[1]", "unknown site 'd'; sites: a, b, c");
    }

    [Fact]
    public void Load_LabelNoNodeHas_PointsAtTheValue()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  labels: { role: db }
            """);

        AssertError(error, 5, 23, "workloads[0].placement.labels.role", "no node has the label role=db");
    }

    [Fact]
    public void Load_LabelKeyNoNodeHas_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  labels:
                    tier: master
            """);

        AssertError(error, 6, 15, "workloads[0].placement.labels.tier", "no node has the label tier=master");
    }

    [Fact]
    public void Load_PerSiteZero_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement: { perSite: 0 }
            """);

        AssertError(error, 4, 27, "workloads[0].placement.perSite", "'0' is not a positive whole number");
    }

    [Fact]
    public void Load_SeveralUnknownNames_ReportsEachSortedByLine()
    {
        var errors = Errors("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  labels: { role: db }
                  nodes: [nodex]
                  sites: [q]
            """);

        Assert.Equal(
            [
                (5, 23, "workloads[0].placement.labels.role"),
                (6, 15, "workloads[0].placement.nodes[0]"),
                (7, 15, "workloads[0].placement.sites[0]"),
            ],
            errors.Select(e => (e.Line, e.Column, e.Path)));
    }

    [Fact]
    public void Load_KnownNodesSitesAndLabels_KeepsThePlacementAsWritten()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                command: /bin/sh
                placement:
                  labels: { role: worker }
                  sites: [b, c]
                  nodes: [node01, node04]
                  perSite: 1
            """);

        Assert.Equal(new Dictionary<string, string> { ["role"] = "worker" }, workload.Placement.Labels);
        Assert.Equal(["b", "c"], workload.Placement.Sites);
        Assert.Equal(["node01", "node04"], workload.Placement.Nodes);
        Assert.Equal(1, workload.Placement.PerSite);
    }
}
