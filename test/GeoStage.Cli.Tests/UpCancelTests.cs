using System.Globalization;
using GeoStage.Core.Diagnostics;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>
/// up cancelled at each of its steps, stopped there by a test pause point (GEOSTAGE_TEST_PAUSE) and then
/// signalled: until its daemon runs everything is removed, state directory included; after that nothing
/// is, and the message says what runs and how to remove it.
/// </summary>
public sealed class UpCancelTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedBeforeItsFirstAwait_RollsBackEverything() => CancelledAtAsync("up-locked", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedAfterNamespaces_RollsBackEverything() => CancelledAtAsync("up-namespaces", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedAfterLinks_RollsBackEverything() => CancelledAtAsync("up-links", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedAfterOverlay_RollsBackEverything() => CancelledAtAsync("up-overlay", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedAfterBefore_RollsBackEverything() => CancelledAtAsync("up-before", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_TerminatedAfterReach_RollsBackEverything() => CancelledAtAsync("up-reach", "TERM", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedOnceRecordedUpBeforeItsDaemon_RollsBackEverything() => CancelledAtAsync("up-recorded", "INT", late: false);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_InterruptedOnceComplete_SaysWhatRunsAndDownRemovesIt() => CancelledAtAsync("up-complete", "INT", late: true);

    [RootFact("openvpn", "nsenter", "setsid")]
    public Task Up_TerminatedOnceComplete_SaysWhatRunsAndDownRemovesIt() => CancelledAtAsync("up-complete", "TERM", late: true);

    private static async Task CancelledAtAsync(string point, string signal, bool late)
    {
        var root = RootSnapshot.Take();
        await using var sandbox = new CliSandbox("uc");
        var file = sandbox.WriteFile("two.yaml", Topologies.TwoSites(sandbox.Name));
        var pauses = Directory.CreateDirectory(Path.Combine(sandbox.FilesDir, "pause")).FullName;
        var environment = new Dictionary<string, string>
        {
            [TestPause.PointsVariable] = point,
            [TestPause.DirectoryVariable] = pauses,
        };

        // A test runner started in the background inherits SIGINT ignored, and .NET then leaves it so: reset it.
        using var up = CliProcess.Start(sandbox.StateDir, ["up", file, "--timeout", "120"], environment, ["env", "--default-signal=INT"]);
        var reached = Path.Combine(pauses, point + ".reached");
        await Wait.UntilAsync(() => File.Exists(reached) || up.HasExited, CliSandbox.Timeout, $"up to reach pause point {point}");
        Assert.True(File.Exists(reached), $"up ended before {point}:\n{up.Stderr}");

        RootSnapshot.Run("kill", $"-{signal}", up.Pid.ToString(CultureInfo.InvariantCulture));
        var result = await up.WaitAsync(CliSandbox.Timeout);

        CliAssert.Exit(ExitCodes.Cancelled, result);
        var last = result.ErrorLines.Count > 0 ? result.ErrorLines[^1] : "";
        if (!late)
        {
            Assert.True(last == "error: cancelled; what was begun has been rolled back", $"cancelled at {point}: {result}");
            Assert.Empty(sandbox.Namespaces());
            Assert.True(sandbox.StateDirIsEmpty(), $"cancelled at {point}, up left {string.Join(", ", Directory.EnumerateFileSystemEntries(sandbox.StateDir))}");
            Assert.Equal(root, RootSnapshot.Take());
            return;
        }

        Assert.Matches(
            $"^error: {sandbox.Name} is up: cancelled \\(Ctrl\\+C or SIGTERM\\) after it was complete, so nothing was rolled back; {sandbox.Namespaces().Count} namespaces and \\d+ processes \\(its control daemon among them\\) still run: remove it with 'geostage down --name {sandbox.Name}'$",
            last);
        Assert.NotEmpty(sandbox.Namespaces());

        var down = await sandbox.RunAsync("down", "--name", sandbox.Name);

        CliAssert.Exit(ExitCodes.Ok, down);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "down left something in the state directory");
        Assert.Equal(root, RootSnapshot.Take());
    }
}
