using GeoStage.Core.State;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>
/// Names that would lead down, or any command, outside its environment's directory, and directories
/// down must not remove. The state root is ROOT/state and a victim directory ROOT/victim sits next to it,
/// where '--name ../victim' used to reach.
/// </summary>
public sealed class NameSafetyTests : IAsyncDisposable
{
    private readonly CliSandbox _sandbox = new("ns");
    private readonly string _stateRoot;
    private readonly string _victim;
    private readonly string _kept;

    public NameSafetyTests()
    {
        _stateRoot = Path.Combine(_sandbox.FilesDir, "state");
        _victim = Path.Combine(_sandbox.FilesDir, "victim");
        Directory.CreateDirectory(Path.Combine(_victim, "sub"));
        File.WriteAllText(Path.Combine(_victim, "sub", "precious.txt"), "keep me");

        // Another environment's directory (marked, with a key) that nothing here may remove.
        _kept = Path.Combine(new StateStore(_stateRoot).EnsureDirectory("keep"), "site.key");
        File.WriteAllText(_kept, "private");
    }

    public ValueTask DisposeAsync() => _sandbox.DisposeAsync();

    [RootFact]
    public async Task Down_NameNotALabel_RefusedWithExitInvalidAndNothingRemoved()
    {
        foreach (var name in new[] { "../victim", _victim, "", ".", "..", "Victim", new string('v', 64) })
        {
            var result = await RunAsync("down", "--name", name);

            CliAssert.Exit(ExitCodes.InvalidSpec, result);
            var error = Assert.Single(result.ErrorLines);
            Assert.StartsWith("error: invalid environment name: ", error, StringComparison.Ordinal);
            Assert.EndsWith("; nothing was changed", error, StringComparison.Ordinal);
            Assert.Empty(result.Stdout);
            AssertUntouched(name);
        }
    }

    [RootFact]
    public async Task Down_FileNamingAPath_RefusedWithFilePositionAndNothingRemoved()
    {
        var file = _sandbox.WriteFile("evil.yaml", "name: ../victim\nsites: []\n");

        var result = await RunAsync("down", file);

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.StartsWith($"{file}:1:7: name: '../victim' is not a DNS-1123 label", result.ErrorLines[0], StringComparison.Ordinal);
        AssertUntouched("file");
    }

    [RootFact]
    public async Task StatusAndServe_NameNotALabel_RefusedWithExitInvalid()
    {
        foreach (var command in new[] { "status", "serve" })
        {
            var result = await RunAsync(command, "--name", "../victim");

            CliAssert.Exit(ExitCodes.InvalidSpec, result);
            Assert.StartsWith("error: invalid environment name: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        }

        AssertUntouched("status/serve");
    }

    [RootFact]
    public async Task Down_StateDirectoryIsASymlink_RefusedWithExitConflict()
    {
        File.CreateSymbolicLink(Path.Combine(_stateRoot, _sandbox.Name), _victim);

        var result = await RunAsync("down", "--name", _sandbox.Name);

        CliAssert.Exit(ExitCodes.Conflict, result);
        Assert.Contains("is a symbolic link", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.NotNull(new FileInfo(Path.Combine(_stateRoot, _sandbox.Name)).LinkTarget);
        Assert.Equal(["sub"], Directory.EnumerateFileSystemEntries(_victim).Select(Path.GetFileName));
        AssertUntouched("symlink");
    }

    [RootFact]
    public async Task Down_DirectoryWithoutMarker_RefusedWithExitConflict()
    {
        var foreign = Path.Combine(_stateRoot, _sandbox.Name);
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "not GeoStage's");

        var result = await RunAsync("down", "--name", _sandbox.Name);

        CliAssert.Exit(ExitCodes.Conflict, result);
        Assert.Contains("is not a GeoStage environment directory", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(foreign).Select(Path.GetFileName));
        AssertUntouched("no marker");
    }

    private Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(_stateRoot, args, CliSandbox.Timeout);

    private void AssertUntouched(string after)
    {
        Assert.True(File.Exists(Path.Combine(_victim, "sub", "precious.txt")), $"'{after}' removed the victim directory");
        Assert.True(File.Exists(_kept), $"'{after}' removed another environment's state");
    }
}
