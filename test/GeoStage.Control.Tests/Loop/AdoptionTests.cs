using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Runtime;
using GeoStage.Testing.Fakes;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// A daemon restart on the fake runtime: what still runs is adopted, a recorded instance that is gone is
/// restarted at once, a second instance of one record is ended, and an instance with no record is ended.
/// </summary>
public sealed class AdoptionTests
{
    [Fact]
    public async Task Adopt_EveryInstanceStillRuns_AdoptedWithoutStartOrStop()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());
        var before = h.Instances("sleeper").ToDictionary(i => i.Key, i => i.Value.Handle);

        await h.RestartDaemonAsync();
        await h.PassAsync();

        Assert.Equal(4, h.Runtime.Starts.Count);
        Assert.Empty(h.Runtime.Journal);
        Assert.Equal(before, h.Instances("sleeper").ToDictionary(i => i.Key, i => i.Value.Handle));
        Assert.Equal("adopted 4 running instances", h.Events(EventKind.DaemonStarted)[^1].Message);
        Assert.Equal(WorkloadStatus.Ready, h.Workload("sleeper").Status);
    }

    [Fact]
    public async Task Adopt_RecordedInstanceGone_RestartedAtOnce()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());

        await h.RestartDaemonAsync(() => h.Runtime.Crash("sleeper", "w2"));

        var lost = Assert.Single(h.Events(EventKind.InstanceLost));
        Assert.Equal(("w2", "not running when the daemon started; restarting"), (lost.Node, lost.Message));
        Assert.Equal("adopted 3 running instances", h.Events(EventKind.DaemonStarted)[^1].Message);
        Assert.Equal(2, h.Runtime.Starts.Count(s => s.Node == "w2"));
        Assert.Equal(h.Runtime.LiveHandle("sleeper", "w2"), h.Instances("sleeper")["w2"].Handle);
        Assert.Equal(5, h.Runtime.Starts.Count);
    }

    [Fact]
    public async Task Adopt_DuplicateOfRunningRecord_DuplicateEndedRecordedOneKept()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());
        var recorded = h.Instances("sleeper")["e1"].Handle!;
        InstanceHandle? duplicate = null;

        await h.RestartDaemonAsync(() => duplicate = h.Runtime.Plant("sleeper", "e1", started: long.MaxValue));

        var stop = Assert.Single(h.Runtime.Journal);
        Assert.Equal((FakeAction.Stop, duplicate), (stop.Action, stop.Handle));
        Assert.Equal(recorded, h.Instances("sleeper")["e1"].Handle);
        Assert.True(h.Runtime.IsAlive(recorded));
        Assert.Equal($"ended duplicate {duplicate}, kept {recorded}", Assert.Single(h.Events(EventKind.InstanceDuplicate)).Message);
        Assert.Equal(4, h.Runtime.Starts.Count);
    }

    [Fact]
    public async Task Adopt_RecordedGoneButTwoFound_NewestKeptOtherEnded()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());
        InstanceHandle? older = null, newer = null;

        await h.RestartDaemonAsync(() =>
        {
            h.Runtime.Crash("sleeper", "e1");
            older = h.Runtime.Plant("sleeper", "e1", started: 1_000);
            newer = h.Runtime.Plant("sleeper", "e1", started: 2_000);
        });

        var stop = Assert.Single(h.Runtime.Journal);
        Assert.Equal(older, stop.Handle);
        Assert.Equal(newer, h.Instances("sleeper")["e1"].Handle);
        Assert.Empty(h.Events(EventKind.InstanceLost));
        Assert.Equal(4, h.Runtime.Starts.Count);
    }

    [Fact]
    public async Task Adopt_InstanceWithoutRecord_Ended()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());
        InstanceHandle? ghost = null;

        await h.RestartDaemonAsync(() => ghost = h.Runtime.Plant("ghost", "w1", started: 1));

        var stop = Assert.Single(h.Runtime.Journal);
        Assert.Equal((ghost, "ghost", "w1"), (stop.Handle, stop.Workload, stop.Node));
        Assert.False(h.Runtime.IsAlive(ghost!));
        var orphan = Assert.Single(h.Events(EventKind.InstanceOrphan));
        Assert.Equal(("ghost", $"ended {ghost}: no record of it"), (orphan.Workload, orphan.Message));
        Assert.Null(h.Store.Workload("ghost"));
    }
}
