using GeoStage.Core.Model;
using GeoStage.Core.Specs;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>
/// A runtime that runs programs from elsewhere (an image, a real site) says so with programsOnThisHost:
/// false, and then a command is taken as written: whether it exists on this host says nothing about there.
/// </summary>
public sealed class WorkloadElsewhereTests
{
    private const string Elsewhere = """
        workloads:
          - name: web
            command: geostage-no-such-program
            args: [--port, "8080"]
            health:
              command: [/no/such/check, --quiet]
        """;

    [Fact]
    public void Validate_ProgramsElsewhere_TakesACommandNotOnThisHostAsWritten()
    {
        var workload = Assert.Single(Validate(Elsewhere, programsOnThisHost: false));

        Assert.Equal("geostage-no-such-program", workload.Command);
        Assert.Equal(["--port", "8080"], workload.Args);
        Assert.Equal(["/no/such/check", "--quiet"], workload.Health?.Command);
    }

    [Fact]
    public void Validate_ProgramsOnThisHost_RefusesTheSameFileAtEachCommand()
    {
        var errors = Assert.Throws<SpecException>(() => Validate(Elsewhere, programsOnThisHost: true)).Errors;

        Assert.Collection(
            errors,
            e => AssertError(e, 3, 14, "workloads[0].command", "command 'geostage-no-such-program' is not on the PATH"),
            e => AssertError(e, 6, 17, "workloads[0].health.command[0]", "command '/no/such/check' does not exist"));
    }

    [Fact]
    public void Validate_ProgramsElsewhere_DoesNotResolveABareNameOnThisHostsPath()
    {
        // sh is on this host's PATH, but the place that runs it has a PATH of its own.
        var workload = Assert.Single(Validate("""
            workloads:
              - name: web
                command: sh
            """, programsOnThisHost: false));

        Assert.Equal("sh", workload.Command);
    }

    [Fact]
    public void Validate_ProgramsElsewhere_StillChecksEverythingElse()
    {
        var error = Assert.Single(Assert.Throws<SpecException>(() => Validate("""
            workloads:
              - name: web
                command: geostage-no-such-program
                placement:
                  nodes: [node99]
            """, programsOnThisHost: false)).Errors);

        AssertError(error, 5, 15, "workloads[0].placement.nodes[0]", "unknown node 'node99'");
    }

    private static IReadOnlyList<WorkloadModel> Validate(string yaml, bool programsOnThisHost) =>
        WorkloadValidator.Validate(SpecReader.ReadWorkloads(yaml, FileName), Seed, [], programsOnThisHost);
}
