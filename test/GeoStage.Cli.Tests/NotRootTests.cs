using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>The CLI run as nobody (uid 65534) through setpriv: refused before it looks at anything.</summary>
public sealed class NotRootTests : IDisposable
{
    private const string Nobody = "65534";
    private readonly DirectoryInfo _home;

    public NotRootTests()
    {
        // dotnet wants a HOME it can write; the test's own temp directories are root's and 0700.
        _home = Directory.CreateTempSubdirectory("geostage-nobody-");
        File.SetUnixFileMode(_home.FullName, (UnixFileMode)0b111_111_111);
    }

    [RootFact("setpriv")]
    public async Task Status_AsNobody_ExitsNotRootSayingSudo()
    {
        await using var sandbox = new CliSandbox("nr");

        var result = await RunAsNobodyAsync(sandbox, "status");

        CliAssert.Exit(ExitCodes.NotRoot, result);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("needs root", line, StringComparison.Ordinal);
        Assert.Contains("sudo", line, StringComparison.Ordinal);
    }

    [RootFact("setpriv")]
    public async Task Up_AsNobodyWithMissingFile_RefusedBeforeReadingIt()
    {
        await using var sandbox = new CliSandbox("nr");

        var result = await RunAsNobodyAsync(sandbox, "up", Path.Combine(sandbox.FilesDir, "missing.yaml"));

        CliAssert.Exit(ExitCodes.NotRoot, result);
        Assert.Contains("geostage up needs root", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    public void Dispose() => _home.Delete(recursive: true);

    private Task<CliResult> RunAsNobodyAsync(CliSandbox sandbox, params string[] args) =>
        CliProcess.RunAsync(
            sandbox.StateDir,
            args,
            CliSandbox.Timeout,
            new Dictionary<string, string> { ["HOME"] = _home.FullName, ["DOTNET_CLI_HOME"] = _home.FullName },
            ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups"]);
}
