using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>Options given values they cannot take: one line naming the option, its range and the value, exit 1, nothing touched.</summary>
public sealed class OptionErrorTests
{
    [Theory]
    [InlineData("scale web --per-site 99999999999999", "error: --per-site takes a whole number from 1 to 10000, not '99999999999999'")]
    [InlineData("scale web --per-site 0", "error: --per-site takes a whole number from 1 to 10000, not '0'")]
    [InlineData("logs web --tail -5", "error: --tail takes a whole number from 0 to 1000000, not '-5'")]
    [InlineData("logs web --tail many", "error: --tail takes a whole number from 0 to 1000000, not 'many'")]
    [InlineData("deploy web.yaml --timeout -1", "error: --timeout takes 1 to 86400 seconds, not '-1'")]
    [InlineData("update web --timeout 1e999", "error: --timeout takes 1 to 86400 seconds, not '1e999'")]
    [InlineData("stop web --timeout NaN", "error: --timeout takes 1 to 86400 seconds, not 'NaN'")]
    [InlineData("restart web --timeout 0", "error: --timeout takes 1 to 86400 seconds, not '0'")]
    [InlineData("reach --count 101", "error: --count takes a whole number from 1 to 100, not '101'")]
    [InlineData("reach --rate 0.5", "error: --rate takes 1 to 1000000 requests per second, not '0.5'")]
    [InlineData("up x.yaml --timeout 86401", "error: --timeout takes 1 to 86400 seconds, not '86401'")]
    public async Task Parse_NumberOutOfRange_OneLineNamingTheRange(string args, string expected)
    {
        await using var sandbox = new CliSandbox("oe");

        var result = await sandbox.RunAsync(args.Split(' '));

        CliAssert.Exit(ExitCodes.Failed, result);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
        Assert.Empty(result.Stdout);
        Assert.True(sandbox.StateDirIsEmpty(), "a refused option left something in the state directory");
    }

    [RootFact]
    public async Task Run_BadKeyValue_OneLineBeforeAskingTheDaemon()
    {
        await using var sandbox = new CliSandbox("oe");
        var cases = new Dictionary<string, string>
        {
            ["node add a n9 --label =x"] = "error: --label =x: the key is empty; write KEY=VALUE",
            ["node add a n9 --label role=db --label role=web"] = "error: --label role is given twice; give each key once",
            ["node add a n9 --label -role=db"] = "error: --label -role=db: label key '-role' is not valid",
            ["scale web --label role=-db"] = "error: --label role=-db: label value '-db' is not valid",
            ["update web --env =x"] = "error: --env =x: the key is empty; write KEY=VALUE",
            ["update web --env A=1 --env A=2"] = "error: --env A is given twice; give each key once",
        };

        foreach (var (args, expected) in cases)
        {
            var result = await sandbox.RunAsync(args.Split(' '));

            CliAssert.Exit(ExitCodes.Failed, result);
            Assert.StartsWith(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
            Assert.True(sandbox.StateDirIsEmpty(), $"{args} left something in the state directory");
        }
    }

    [RootFact]
    public async Task Run_FileIsADirectory_SaysSo()
    {
        await using var sandbox = new CliSandbox("oe");

        foreach (var (verb, kind) in new[] { ("up", "a topology file"), ("deploy", "a workload file"), ("down", "a topology file, or --name") })
        {
            var result = await sandbox.RunAsync(verb, sandbox.FilesDir);

            Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
            Assert.Equal($"error: {sandbox.FilesDir} is a directory; give {kind}", Assert.Single(result.ErrorLines));
        }
    }
}
