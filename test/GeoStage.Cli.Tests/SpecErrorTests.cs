using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>What up prints for a topology file it cannot use, and that it then touches nothing.</summary>
public sealed class SpecErrorTests
{
    [RootFact]
    public async Task Up_UnknownKeyAndAddressOutsideItsSite_BothReportedAndNothingCreated()
    {
        await using var sandbox = new CliSandbox("se");
        var file = sandbox.WriteFile("bad.yaml", $$"""
            name: {{sandbox.Name}}
            wan: 10.9.0.0/16
            sites:
              - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
              - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2, colour: blue }
            nodes:
              - { name: e1, site: east }
              - { name: w1, site: west, address: 10.91.0.7 }
            """);

        var result = await sandbox.RunAsync("up", file);

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.Equal(3, result.ErrorLines.Count);
        Assert.StartsWith($"{file}:5:57: sites[1]: unknown key 'colour'", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{file}:8:38: nodes[1].address: 10.91.0.7 is not a host address of site 'west'", result.ErrorLines[1], StringComparison.Ordinal);
        Assert.Equal("error: the topology file has 2 errors; nothing was changed", result.ErrorLines[2]);
        Assert.Empty(result.Stdout);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "up of an invalid file left something in the state directory");
    }

    [RootFact]
    public async Task Up_JsonOutputAndInvalidFile_ErrorsOnStderrOnly()
    {
        await using var sandbox = new CliSandbox("sj");
        var file = sandbox.WriteFile("bad.yaml", $"name: {sandbox.Name}\nwan: 10.9.0.0/16\nsites: []\n");

        var result = await sandbox.RunAsync("up", file, "--output", "json");

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.Empty(result.Stdout);
        Assert.All(result.ErrorLines.SkipLast(1), line => Assert.StartsWith($"{file}:", line, StringComparison.Ordinal));
        Assert.StartsWith("error: the topology file has ", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.True(sandbox.StateDirIsEmpty(), "up of an invalid file left something in the state directory");
    }

    [RootFact]
    public async Task Up_MissingFile_ExitsInvalidSpecNamingTheFile()
    {
        await using var sandbox = new CliSandbox("mf");
        var file = Path.Combine(sandbox.FilesDir, "missing.yaml");

        var result = await sandbox.RunAsync("up", file);

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.Equal(2, result.ErrorLines.Count);
        Assert.StartsWith($"{file}:1:1: cannot read the file", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("error: the topology file has 1 error; nothing was changed", result.ErrorLines[1]);
        Assert.True(sandbox.StateDirIsEmpty(), "up of a missing file left something in the state directory");
    }
}
