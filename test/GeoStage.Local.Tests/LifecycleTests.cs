using GeoStage.Core.Backends;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>What up refuses, how it rolls back, and environments side by side.</summary>
public sealed class LifecycleTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_OpenVpnFailsHalfWay_RollsBackEverything()
    {
        var root = RootSnapshot.Take();

        // A tunnel binary that starts and dies: namespaces, links and configs exist by then.
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("rb")), openVpn: "/bin/false");

        var failure = await Assert.ThrowsAsync<ToolException>(() => env.UpAsync());

        Assert.Contains("OpenVPN for tunnel", failure.Message, StringComparison.Ordinal);
        Assert.Empty(env.LeftoverNamespaces());
        Assert.False(Directory.Exists(env.Store.DirectoryOf(env.Model.Name)));
        Assert.Equal(root, RootSnapshot.Take());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_CancelledWhileStartingTheOverlay_RollsBackEverything()
    {
        var root = RootSnapshot.Take();
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("cx")));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var progress = new SynchronousProgress(step =>
        {
            if (step.Step == "overlay")
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            env.Backend.UpAsync(env.Model, new UpOptions(), progress, cancel.Token));

        Assert.Empty(env.LeftoverNamespaces());
        Assert.False(Directory.Exists(env.Store.DirectoryOf(env.Model.Name)));
        Assert.Equal(root, RootSnapshot.Take());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_NamespaceNameTaken_RefusedAndNothingCreated()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("tk")));
        var taken = LocalNames.Node(env.Model.Name, "w1");
        RootSnapshot.Run("ip", "netns", "add", taken);
        try
        {
            var failure = await Assert.ThrowsAsync<EnvironmentConflictException>(() => env.UpAsync());

            Assert.Contains(taken, failure.Message, StringComparison.Ordinal);
            Assert.Equal([taken], env.LeftoverNamespaces());
            Assert.Null(env.Store.Load(env.Model.Name));
        }
        finally
        {
            RootSnapshot.Run("ip", "netns", "del", taken);
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_SecondUpOfRunningEnvironment_Refused()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("tw")));
        await env.UpAsync(measureBefore: false);
        var processes = env.State.Processes;

        var failure = await Assert.ThrowsAsync<EnvironmentConflictException>(() => env.UpAsync());

        Assert.Contains("already up", failure.Message, StringComparison.Ordinal);
        Assert.Equal(processes.Select(p => p.Pid), env.State.Processes.Select(p => p.Pid));
        Assert.All(processes, p => Assert.True(ProcTable.IsAlive(p.Pid, p.StartTicks)));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_TwoEnvironmentsWithTheSameAddresses_RunSideBySide()
    {
        await using var first = Env.Create(Topologies.TwoSites(TempState.UniqueName("sa")));
        await using var second = Env.Create(Topologies.TwoSites(TempState.UniqueName("sb")));

        await first.UpAsync(measureBefore: false);
        await second.UpAsync(measureBefore: false);
        await first.Backend.DownAsync(first.State, CancellationToken.None);
        var stillThere = await second.Backend.MeasureAsync(second.State, new MeasureOptions(), CancellationToken.None);

        Assert.Empty(first.LeftoverNamespaces());
        Assert.True(stillThere.All);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task DownAsync_Twice_SecondIsHarmless()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("dd")));
        await env.UpAsync(measureBefore: false);
        var state = env.State;

        await env.Backend.DownAsync(state, CancellationToken.None);
        await env.Backend.DownAsync(state, CancellationToken.None);

        Assert.Empty(env.LeftoverNamespaces());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task DownAsync_StateOfInterruptedUp_RemovesNamespacesAndStrayProcesses()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("ir")));
        await env.UpAsync(measureBefore: false);

        // As if up had died after starting a process but before recording it.
        var ns = LocalNames.Node(env.Model.Name, "e1");
        var (stray, record) = ProcessLauncher.Start("stray", ns, ["sleep", "300"], Path.Combine(env.Store.DirectoryOf(env.Model.Name), "stray.log"));
        using (stray)
        {
            await Wait.UntilAsync(() => ReadComm(record.Pid) == "sleep", TimeSpan.FromSeconds(10), "the stray process to exec into its namespace");
            var interrupted = env.State with { Phase = EnvironmentPhase.Building, Processes = [] };

            await env.Backend.DownAsync(interrupted, CancellationToken.None);

            Assert.False(ProcTable.IsAlive(record.Pid, record.StartTicks), "a process inside the environment's namespace survived down");
            Assert.Empty(env.LeftoverNamespaces());
        }
    }

    private static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed class SynchronousProgress(Action<UpProgress> report) : IProgress<UpProgress>
    {
        public void Report(UpProgress value) => report(value);
    }
}
