using System.Diagnostics;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>
/// One test's private world: a unique environment name, a state directory for GEOSTAGE_STATE_DIR, and a
/// separate directory for topology files. On dispose it takes down whatever the test left with the CLI
/// itself, then removes by force anything under the environment's unique namespace prefix, even when
/// the test failed half-way.
/// </summary>
internal sealed class CliSandbox : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly TempState _state = new();
    private readonly TempState _files = new();

    public CliSandbox(string prefix)
    {
        Name = TempState.UniqueName(prefix);
    }

    public string Name { get; }

    public string StateDir => _state.Root;

    public string FilesDir => _files.Root;

    public string WriteFile(string fileName, string text)
    {
        var path = Path.Combine(_files.Root, fileName);
        File.WriteAllText(path, text);
        return path;
    }

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(StateDir, args, Timeout);

    public CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => CliProcess.Start(StateDir, args, environment);

    /// <summary>Network namespaces of this environment that exist now: <c>gs_NAME</c> and <c>gs_NAME_*</c>.</summary>
    public IReadOnlyList<string> Namespaces()
    {
        var fabric = LocalNames.Fabric(Name);
        return [.. RootSnapshot.Run("ip", "netns", "list")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns == fabric || ns.StartsWith(fabric + "_", StringComparison.Ordinal))];
    }

    /// <summary>True when the state directory holds nothing at all (no state, lock, keys or logs).</summary>
    public bool StateDirIsEmpty() => !Directory.Exists(StateDir) || !Directory.EnumerateFileSystemEntries(StateDir).Any();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Machine.IsRoot && (!StateDirIsEmpty() || Namespaces().Count > 0))
            {
                try
                {
                    await RunAsync("down", "--all");
                }
                finally
                {
                    RemoveByForce();
                }
            }
        }
        finally
        {
            _state.Dispose();
            _files.Dispose();
        }
    }

    /// <summary>What down could not remove: these namespaces carry this test's unique name, so they and what runs in them are ours.</summary>
    private void RemoveByForce()
    {
        foreach (var ns in Namespaces())
        {
            foreach (var pid in RootSnapshot.Run("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
                catch (ArgumentException)
                {
                    // Ended meanwhile.
                }
            }

            RootSnapshot.Run("ip", "netns", "del", ns);
        }
    }
}

internal static class CliAssert
{
    /// <summary>Asserts the exit code, showing everything the CLI printed when it differs.</summary>
    public static void Exit(int expected, CliResult result) =>
        Assert.True(result.ExitCode == expected, $"expected exit {expected}, got {result}");
}
