using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Workloads in a file of their own, or in the topology file beside sites and nodes.</summary>
public sealed class WorkloadFileTests
{
    private const string TopologyWithWorkloads = """
        name: seed
        wan: 10.4.0.0/16
        sites:
          - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.90 }
          - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.91 }
        nodes:
          - { name: master01, site: a, labels: { role: master } }
          - { name: node01, site: b }
        workloads:
          - name: etcd
            command: /bin/sh
            placement: { labels: { role: master } }
            ports: [2379, 2380]
          - name: agent
            command: /bin/sh
            placement: { sites: [x] }
        """;

    [Fact]
    public void Load_TopologyFileWithWorkloads_IsAValidTopology()
    {
        var model = SpecValidator.Load(TopologyWithWorkloads, "seed.yaml", []);

        Assert.Equal(["master01", "node01"], model.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Load_TopologyFileWithWorkloads_GivesItsWorkloadsWithTheirPositions()
    {
        var environment = SpecValidator.Load(TopologyWithWorkloads, "seed.yaml", []);

        var error = Assert.Single(Assert.Throws<SpecException>(() => WorkloadValidator.Load(TopologyWithWorkloads, "seed.yaml", environment, [])).Errors);

        Assert.Equal(("seed.yaml", 16, 26, "workloads[1].placement.sites[0]"), (error.File, error.Line, error.Column, error.Path));
        Assert.Contains("unknown site 'x'; sites: a, b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TopologyFileWithValidWorkloads_IsAcceptedByBothValidators()
    {
        var text = TopologyWithWorkloads.Replace("sites: [x]", "sites: [b]", StringComparison.Ordinal);
        var environment = SpecValidator.Load(text, "seed.yaml", []);

        var workloads = WorkloadValidator.Load(text, "seed.yaml", environment, []);

        Assert.Equal(["etcd", "agent"], workloads.Select(w => w.Name));
        Assert.Equal(["master01"], workloads[0].Select(environment).Select(n => n.Name));
        Assert.Equal(["node01"], workloads[1].Select(environment).Select(n => n.Name));
    }

    [Fact]
    public void Load_SeedExampleWithTheP2pWorkloadsAppended_IsAcceptedByBoth()
    {
        var text = File.ReadAllText(SeedPath) + File.ReadAllText(P2pPath);

        var environment = SpecValidator.Load(text, SeedPath, []);
        var workload = Assert.Single(WorkloadValidator.Load(text, SeedPath, environment, []));

        Assert.Equal(8, environment.Nodes.Count);
        Assert.Equal("chain", workload.Name);
    }

    [Fact]
    public void Load_P2pExample_IsAChainOnEveryNodeGatedOnHttp()
    {
        var workload = Assert.Single(WorkloadValidator.Load(File.ReadAllText(P2pPath), P2pPath, Seed, []));
        var examples = Path.GetDirectoryName(P2pPath)!;

        Assert.Equal(("chain", "1"), (workload.Name, workload.Version));
        Assert.Equal("dotnet", Path.GetFileName(workload.Command));
        Assert.Equal($"{examples}/p2p/bin/P2pNode.dll", workload.Args[0]);
        Assert.Equal(8, workload.Select(Seed).Count);
        Assert.Equal(HealthKind.Http, workload.Health!.Kind);
        Assert.Equal((7000, TimeSpan.FromMilliseconds(300)), (workload.Health.Port, workload.Health.Interval));
        Assert.Equal((1, TimeSpan.FromSeconds(20)), (workload.MaxUnavailable, workload.HealthTimeout));
        Assert.Equal([7000], workload.Ports);
    }

    [Fact]
    public void Render_P2pExampleOnNode03_ListsTheOtherSevenPeers()
    {
        var workload = Assert.Single(WorkloadValidator.Load(File.ReadAllText(P2pPath), P2pPath, Seed, []));
        var instances = workload.Select(Seed);
        var node03 = instances.Single(n => n.Name == "node03");

        var args = workload.Args.Select(a => Templates.Render(a, Seed, workload, node03, instances)).ToList();

        Assert.Equal(
            [
                "--name", "node03",
                "--listen", "192.168.30.101:7000",
                "--peers", "192.168.10.253:7000,192.168.10.101:7000,192.168.10.102:7000,192.168.10.103:7000,192.168.20.101:7000,192.168.20.102:7000,192.168.30.102:7000",
                "--version", "1",
                "--interval-ms", "1500",
            ],
            args.Skip(1));
        Assert.Equal("http://192.168.30.101:7000/status", Templates.Render(workload.Health!.Url!, Seed, workload, node03, instances));
    }
}
