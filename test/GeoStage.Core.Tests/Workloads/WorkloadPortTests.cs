using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Two workloads may not listen on one port of one node, whether in one file or one already running.</summary>
public sealed class WorkloadPortTests
{
    [Fact]
    public void Load_TwoWorkloadsOnOnePortOfOneNode_IsAnErrorAtTheLaterOne()
    {
        var error = SingleError("""
            workloads:
              - name: first
                command: /bin/sh
                ports: [7000]
              - name: second
                command: /bin/sh
                ports: [7000]
            """);

        AssertError(error, 7, 12, "workloads[1].ports", "port 7000 on node lb is also used by workload 'first'; pick another port or other nodes");
    }

    [Fact]
    public void Load_PlacementsThatShareOneNode_NameThatNode()
    {
        var error = SingleError("""
            workloads:
              - name: first
                command: /bin/sh
                ports: [7000]
                placement: { sites: [a] }
              - name: second
                command: /bin/sh
                ports: [8000, 7000]
                placement: { nodes: [node01, master02] }
            """);

        AssertError(error, 8, 12, "workloads[1].ports", "port 7000 on node master02 is also used by workload 'first'");
    }

    [Fact]
    public void Load_SamePortOnNodesThatDoNotOverlap_IsNoClash()
    {
        var workloads = Load("""
            workloads:
              - name: first
                command: /bin/sh
                ports: [7000]
                placement: { sites: [a] }
              - name: second
                command: /bin/sh
                ports: [7000]
                placement: { labels: { role: worker } }
            """);

        Assert.Equal(["first", "second"], workloads.Select(w => w.Name));
        Assert.All(workloads, w => Assert.Equal([7000], w.Ports));
    }

    [Fact]
    public void Load_PortOfARunningWorkload_IsAClash()
    {
        var running = LoadOne("""
            workloads:
              - name: chain
                command: /bin/sh
                ports: [7000]
                placement: { sites: [c] }
            """);

        var error = SingleError(
            """
            workloads:
              - name: web
                command: /bin/sh
                ports: 7000
            """,
            running);

        AssertError(error, 4, 12, "workloads[0].ports", "port 7000 on node node03 is also used by workload 'chain'");
    }

    [Fact]
    public void Load_RunningWorkloadOnOtherNodes_IsNoClash()
    {
        var running = LoadOne("""
            workloads:
              - name: chain
                command: /bin/sh
                ports: [7000]
                placement: { sites: [c] }
            """);

        var workload = Assert.Single(Load(
            """
            workloads:
              - name: web
                command: /bin/sh
                ports: [7000]
                placement: { sites: [a, b] }
            """,
            running));

        Assert.Equal([7000], workload.Ports);
    }

    [Fact]
    public void Load_NewSpecOfTheRunningWorkloadItself_IsNoClash()
    {
        var running = LoadOne("""
            workloads:
              - name: chain
                command: /bin/sh
                ports: [7000]
            """);

        var workload = Assert.Single(Load(
            """
            workloads:
              - name: chain
                version: "2"
                command: /bin/sh
                ports: [7000]
            """,
            running));

        Assert.Equal("2", workload.Version);
    }

    [Fact]
    public void Load_HealthPort_CountsAsAPortOfTheWorkload()
    {
        var workloads = Load("""
            workloads:
              - name: first
                command: /bin/sh
                health: { tcp: 8080 }
              - name: second
                command: /bin/sh
                health:
                  http: "http://{{node.address}}:9090/ready"
                ports: [7000]
            """);

        Assert.Equal([8080], workloads[0].Ports);
        Assert.Equal([7000, 9090], workloads[1].Ports);

        var error = SingleError(
            """
            workloads:
              - name: third
                command: /bin/sh
                ports: [8080]
            """,
            [.. workloads]);

        AssertError(error, 4, 12, "workloads[0].ports", "port 8080 on node lb is also used by workload 'first'");
    }

    [Fact]
    public void Load_PortsThatAreNotPorts_AreEachAnError()
    {
        var errors = Errors("""
            workloads:
              - name: web
                command: /bin/sh
                ports: [0, 65536, http, 443]
            """);

        Assert.Equal(
            [
                (4, 13, "workloads[0].ports[0]", "'0' is not a TCP port (1 to 65535)"),
                (4, 16, "workloads[0].ports[1]", "'65536' is not a TCP port (1 to 65535)"),
                (4, 23, "workloads[0].ports[2]", "'http' is not a TCP port (1 to 65535)"),
            ],
            errors.Select(e => (e.Line, e.Column, e.Path, e.Message)));
    }
}
