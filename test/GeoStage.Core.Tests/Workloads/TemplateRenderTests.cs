using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>What an instance's args, env and health URL become on its node.</summary>
public sealed class TemplateRenderTests
{
    private static readonly WorkloadModel s_siteA = LoadOne("""
        workloads:
          - name: etcd
            version: "3.5"
            command: /bin/sh
            placement: { sites: [a] }
        """);

    private static readonly IReadOnlyList<NodeModel> s_siteANodes = s_siteA.Select(Seed);

    private static string Render(string template, string node) =>
        Templates.Render(template, Seed, s_siteA, Seed.Nodes.Single(n => n.Name == node), s_siteANodes);

    [Theory]
    [InlineData("{{node.name}}", "master02")]
    [InlineData("{{node.address}}", "192.168.10.102")]
    [InlineData("{{node.site}}", "a")]
    [InlineData("{{site.name}}", "a")]
    [InlineData("{{site.cidr}}", "192.168.10.0/24")]
    [InlineData("{{site.gateway}}", "192.168.10.1")]
    [InlineData("{{workload.name}}", "etcd")]
    [InlineData("{{workload.version}}", "3.5")]
    [InlineData("{{instance.index}}", "2")]
    [InlineData("--name={{ node.name }}", "--name=master02")]
    [InlineData("http://{{node.address}}:2379/{{node.name}}", "http://192.168.10.102:2379/master02")]
    [InlineData("no template", "no template")]
    [InlineData("{single} {braces}", "{single} {braces}")]
    public void Render_Fact_IsTheValueOfThisInstance(string template, string expected)
    {
        Assert.Null(Templates.Check(template));
        Assert.Equal(expected, Render(template, "master02"));
    }

    [Fact]
    public void Render_Instances_GivesEtcdsInitialClusterForTheFourNodesOfSiteA()
    {
        var rendered = Render("""{{instances "{node}=http://{address}:2380" ","}}""", "master01");

        Assert.Equal("lb=http://192.168.10.253:2380,master01=http://192.168.10.101:2380,master02=http://192.168.10.102:2380,master03=http://192.168.10.103:2380", rendered);
    }

    [Fact]
    public void Render_Instances_IsTheSameOnEveryNode()
    {
        const string Template = """--initial-cluster={{instances "{node}=http://{address}:2380" ","}}""";

        Assert.Single(s_siteANodes.Select(n => Render(Template, n.Name)).Distinct());
    }

    [Fact]
    public void Render_Peers_LeavesOutThisInstance()
    {
        var rendered = Render("""{{peers "{address}:7000" ","}}""", "master02");

        Assert.Equal("192.168.10.253:7000,192.168.10.101:7000,192.168.10.103:7000", rendered);
    }

    [Fact]
    public void Render_ListFormat_HasSiteAndIndexAndAnySeparator()
    {
        Assert.Equal("a/0 a/1 a/2 a/3", Render("""{{instances "{site}/{index}" " "}}""", "lb"));
        Assert.Equal("lb;master01;master03", Render("""{{peers "{node}" ";"}}""", "master02"));
    }

    [Fact]
    public void Render_PeersOfTheOnlyInstance_IsEmpty()
    {
        var only = Seed.Nodes.Single(n => n.Name == "lb");

        Assert.Equal("[]", Templates.Render("""[{{peers "{address}" ","}}]""", Seed, s_siteA, only, [only]));
    }

    [Fact]
    public void Render_WrittenGateway_IsTheSiteGateway()
    {
        var model = SpecValidator.Load(
            """
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1, gateway: 192.168.10.254 }]
            nodes: [{ name: n1, site: a }]
            """,
            "x.yaml",
            []);
        var node = Assert.Single(model.Nodes);

        Assert.Equal("192.168.10.254 via 192.168.10.1", Templates.Render("{{site.gateway}} via {{node.address}}", model, s_siteA, node, [node]));
    }

    [Fact]
    public void Render_UnknownFact_Throws()
    {
        var error = Assert.Throws<FormatException>(() => Render("{{node.ip}}", "lb"));

        Assert.Contains("unknown fact '{{node.ip}}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{node.ip}}", "unknown fact '{{node.ip}}'")]
    [InlineData("{{file.dir}}", "unknown fact '{{file.dir}}'")]
    [InlineData("{{}}", "unknown fact '{{}}'")]
    [InlineData("x {{node.name", "an unclosed '{{'")]
    [InlineData("{{instances}}", "needs a format and a separator")]
    [InlineData("""{{peers "{address}"}}""", "needs a format and a separator")]
    [InlineData("""{{peers "{address}" "," ";"}}""", "needs a format and a separator")]
    [InlineData("""{{peers {address} ","}}""", "write peers \"FORMAT\" \"SEPARATOR\"")]
    [InlineData("""{{instances "{address} ","}}""", "write instances \"FORMAT\" \"SEPARATOR\"")]
    public void Check_BadTemplate_SaysWhy(string template, string fragment)
    {
        Assert.Contains(fragment, Templates.Check(template), StringComparison.Ordinal);
    }
}
