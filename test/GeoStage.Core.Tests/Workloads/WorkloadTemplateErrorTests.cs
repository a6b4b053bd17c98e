using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Templates in args, env and health.http are checked when the file is deployed, not when an instance starts.</summary>
public sealed class WorkloadTemplateErrorTests
{
    [Fact]
    public void Load_UnknownFactInArgs_ListsTheKnownFacts()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                args: [--name, "{{node.nam}}"]
            """);

        AssertError(error, 4, 20, "workloads[0].args[1]", "unknown fact '{{node.nam}}'; known: node.name, node.address, node.site, site.name, site.cidr, site.gateway, workload.name, workload.version, instance.index");
    }

    [Fact]
    public void Load_UnknownFactInEnv_PointsAtTheValue()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                env:
                  PEER: "router {{site.router}}"
            """);

        AssertError(error, 5, 13, "workloads[0].env.PEER", "unknown fact '{{site.router}}'");
    }

    [Fact]
    public void Load_UnknownFactInHealthHttp_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  http: "http://{{node.addr}}:8080/status"
            """);

        AssertError(error, 5, 13, "workloads[0].health.http", "unknown fact '{{node.addr}}'");
    }

    [Fact]
    public void Load_UnclosedBraces_AsksToCloseThem()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                args: ["{{node.name"]
            """);

        AssertError(error, 4, 12, "workloads[0].args[0]", "an unclosed '{{'; close it with '}}'");
    }

    [Fact]
    public void Load_PeersWithoutSeparator_AsksForFormatAndSeparator()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                args:
                  - '{{peers "{address}:7000"}}'
            """);

        AssertError(error, 5, 9, "workloads[0].args[0]", "'{{peers \"{address}:7000\"}}' needs a format and a separator, e.g. peers \"{address}:7000\" \",\"");
    }

    [Fact]
    public void Load_PeersWithUnquotedFormat_ShowsTheSyntax()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                args:
                  - '{{peers {address}:7000 ","}}'
            """);

        AssertError(error, 5, 9, "workloads[0].args[0]", "'{{peers {address}:7000 \",\"}}': write peers \"FORMAT\" \"SEPARATOR\", e.g. peers \"{node}={address}:2380\" \",\"");
    }

    [Fact]
    public void Load_InstancesWithThreeStrings_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                env:
                  CLUSTER: '{{instances "{node}" "," "x"}}'
            """);

        AssertError(error, 5, 16, "workloads[0].env.CLUSTER", "needs a format and a separator");
    }

    [Fact]
    public void Load_EnvNameWithEquals_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                env: { "A=B": x }
            """);

        AssertError(error, 4, 19, "workloads[0].env.A=B", "'A=B' is not an environment variable name");
    }

    [Fact]
    public void Load_EveryKnownFactAndList_IsAccepted()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                command: /bin/sh
                args:
                  - "{{node.name}} {{node.address}} {{node.site}} {{site.name}} {{site.cidr}} {{site.gateway}}"
                  - "{{workload.name}} {{workload.version}} {{ instance.index }}"
                  - '{{instances "{node}={address}:{index}@{site}" ","}}'
                  - '{{peers "{address}:7000" ""}}'
                env: { SELF: "{{node.name}}" }
                health:
                  http: "http://{{node.address}}:8080/status"
            """);

        Assert.Equal(4, workload.Args.Count);
        Assert.Equal("http://{{node.address}}:8080/status", workload.Health!.Url);
    }
}
