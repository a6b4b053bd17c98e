using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Balancers;

public sealed class BalancerValidatorTests
{
    private static readonly string[] s_workloads = ["chain"];
    private readonly EnvironmentModel _seed = SpecValidator.Load(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml")), "seed.yaml", []);

    [Fact]
    public void Load_TwoReplicasInSiteA_ModelWithDefaults()
    {
        const string Text = """
            balancers:
              - name: front
                site: a
                vip: 192.168.10.200
                replicas: { nodes: [master01, master02] }
                listeners:
                  - { port: 80, backend: chain, backendPort: 7000 }
                policy: least-connections
                leaseTtl: 800ms
            """;

        var balancer = Assert.Single(BalancerValidator.Load(Text, "lb.yaml", _seed, s_workloads));

        Assert.Equal(IPAddress.Parse("192.168.10.200"), balancer.Vip);
        Assert.Equal(["master01", "master02"], balancer.Replicas.Select(_seed).Select(n => n.Name));
        Assert.Equal(new ListenerModel(80, "chain", 7000), Assert.Single(balancer.Listeners));
        Assert.Equal(BalancePolicy.LeastConnections, balancer.Policy);
        Assert.Equal(TimeSpan.FromMilliseconds(800), balancer.LeaseTtl);
        Assert.Equal(TimeSpan.FromSeconds(2), balancer.ConnectTimeout);
    }

    [Fact]
    public void Load_EveryKindOfMistake_AllReportedWithPositions()
    {
        const string Text = """
            balancers:
              - name: front
                site: a
                vip: 192.168.20.200
                replicas: { nodes: [master01, node01] }
                listeners:
                  - { port: 80, backend: ledger, backendPort: 7000 }
                  - { port: 80, backend: chain, backendPort: 70000 }
                policy: random
                colour: blue
            """;

        var errors = Assert.Throws<SpecException>(() => BalancerValidator.Load(Text, "lb.yaml", _seed, s_workloads)).Errors;

        Assert.Contains(errors, e => (e.Line, e.Column) == (4, 10) && e.Message.Contains("not a host address of site 'a'", StringComparison.Ordinal));
        Assert.Contains(errors, e => (e.Line, e.Column) == (5, 35) && e.Message.Contains("node 'node01' is in site 'b'", StringComparison.Ordinal));
        Assert.Contains(errors, e => (e.Line, e.Column) == (7, 30) && e.Message.Contains("unknown workload 'ledger'", StringComparison.Ordinal));
        Assert.Contains(errors, e => (e.Line, e.Column) == (8, 17) && e.Message.Contains("port 80 is already a listener", StringComparison.Ordinal));
        Assert.Contains(errors, e => (e.Line, e.Column) == (8, 50) && e.Message.Contains("'70000' is not a TCP port", StringComparison.Ordinal));
        Assert.Contains(errors, e => (e.Line, e.Column) == (9, 13) && e.Message.Contains("unknown policy 'random'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 10 && e.Message.Contains("unknown key 'colour'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("192.168.10.1", "already an address in site 'a'")]
    [InlineData("192.168.10.101", "already an address in site 'a'")]
    [InlineData("192.168.10.300", "not an IPv4 address")]
    public void Load_VipTaken_Refused(string vip, string message)
    {
        var text = $"""
            balancers:
              - name: front
                site: a
                vip: {vip}
                listeners: [{"{"} port: 80, backend: chain, backendPort: 7000 {"}"}]
            """;

        var error = Assert.Single(Assert.Throws<SpecException>(() => BalancerValidator.Load(text, "lb.yaml", _seed, s_workloads)).Errors);

        Assert.Equal((4, 10), (error.Line, error.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReplicasMatchingNoNodeOfTheSite_Refused()
    {
        const string Text = """
            balancers:
              - name: front
                site: c
                vip: 192.168.30.200
                replicas: { labels: { role: master } }
                listeners: [{ port: 80, backend: chain, backendPort: 7000 }]
            """;

        var error = Assert.Single(Assert.Throws<SpecException>(() => BalancerValidator.Load(Text, "lb.yaml", _seed, s_workloads)).Errors);

        Assert.Contains("selects no node of site 'c'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBalancers_FileWithoutBalancers_NoneAndNoError()
    {
        var document = Specs.SpecReader.ReadBalancers(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml")), "seed.yaml");

        Assert.Empty(document.Balancers);
        Assert.Empty(document.Errors);
    }
}
