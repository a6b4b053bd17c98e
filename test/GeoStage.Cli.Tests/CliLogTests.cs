using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>The CLI's own log on stderr: debug lines only with --verbose, beside the one-line error.</summary>
public sealed class CliLogTests
{
    [RootFact]
    public async Task Status_Verbose_LogsHowTheCommandEnded()
    {
        await using var sandbox = new CliSandbox("cl");

        var result = await sandbox.RunAsync("status", "--verbose");

        CliAssert.Exit(ExitCodes.NotFound, result);
        Assert.Contains(result.ErrorLines, l => l.StartsWith("error: no environment is up", StringComparison.Ordinal));
        Assert.Contains(result.ErrorLines, l => l.StartsWith($"debug: geostage status exited {ExitCodes.NotFound} after ", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Status_NotVerbose_LogsNoDebugLine()
    {
        await using var sandbox = new CliSandbox("cl");

        var result = await sandbox.RunAsync("status");

        CliAssert.Exit(ExitCodes.NotFound, result);
        Assert.DoesNotContain(result.ErrorLines, l => l.StartsWith("debug:", StringComparison.Ordinal));
    }
}
