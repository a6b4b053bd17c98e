using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>The commands that act on an environment, run when none is up.</summary>
public sealed class NoEnvironmentTests
{
    [RootFact]
    public async Task Status_NoEnvironment_ExitsNotFound()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("status");

        CliAssert.Exit(ExitCodes.NotFound, result);
        Assert.StartsWith("error: no environment is up", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [RootFact]
    public async Task Reach_NoEnvironment_ExitsNotFound()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("reach", "--output", "json");

        CliAssert.Exit(ExitCodes.NotFound, result);
        Assert.StartsWith("error: no environment is up", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [RootFact]
    public async Task Status_NamedEnvironmentMissing_ExitsNotFoundNamingIt()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("status", "--name", sandbox.Name);

        CliAssert.Exit(ExitCodes.NotFound, result);
        Assert.StartsWith($"error: no environment named '{sandbox.Name}'", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Down_NoEnvironment_ExitsOkWithNothingToRemove()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("down");

        CliAssert.Exit(ExitCodes.Ok, result);
        Assert.Equal("no environment is up; nothing to remove", result.Stdout.Trim());
        Assert.Empty(result.Stderr);
    }

    [RootFact]
    public async Task List_NoEnvironment_PrintsAnEmptyJsonArray()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("list", "--output", "json");

        CliAssert.Exit(ExitCodes.Ok, result);
        Assert.Equal("[]", result.Stdout.Trim());
    }

    [RootFact]
    public async Task Down_FileIsADirectory_OneLineErrorWithoutStackTrace()
    {
        await using var sandbox = new CliSandbox("ne");

        var result = await sandbox.RunAsync("down", sandbox.FilesDir);

        CliAssert.Exit(ExitCodes.Failed, result);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(sandbox.FilesDir, line, StringComparison.Ordinal);
    }
}
