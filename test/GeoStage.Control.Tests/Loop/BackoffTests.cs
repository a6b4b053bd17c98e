using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// Restarts of crashed instances on fake time: 250 ms after the first crash, doubling with every crash in
/// a row up to 30 s, and back to 250 ms after a good run of 10 s; a start that throws backs off too.
/// </summary>
public sealed class BackoffTests
{
    private static readonly PlacementModel s_e1 = new() { Nodes = ["e1"] };

    [Fact]
    public async Task Supervise_CrashesInARow_BackoffDoublesFrom250MsAndCapsAt30s()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper(placement: s_e1));

        var delays = new List<double>();
        for (var crash = 1; crash <= 9; crash++)
        {
            var delay = await CrashAsync(h);
            delays.Add(delay.TotalMilliseconds);

            await h.StepAsync(delay - Tick);
            Assert.Equal(InstanceState.Backoff, h.Instances("sleeper")["e1"].State);
            Assert.Equal(crash, h.Runtime.Starts.Count);

            await h.StepAsync(Tick);
            Assert.Equal(crash + 1, h.Runtime.Starts.Count);
            Assert.Equal((InstanceState.Starting, crash), (h.Instances("sleeper")["e1"].State, h.Instances("sleeper")["e1"].Restarts));
        }

        Assert.Equal([250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000], delays);
        Assert.Equal("exited with code 1; restart 9 in 30000 ms", h.Events(EventKind.InstanceCrashed)[^1].Message);
    }

    [Fact]
    public async Task Supervise_CrashAfterTenSecondsHealthy_BackoffStartsOver()
    {
        await using var h = await CrashThreeTimesThenRunAsync(TimeSpan.FromSeconds(10));

        var delay = await CrashAsync(h);

        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        Assert.Equal("exited with code 1; restart 4 in 250 ms", h.Events(EventKind.InstanceCrashed)[^1].Message);
    }

    [Fact]
    public async Task Supervise_CrashAfterShorterHealthyRun_BackoffKeepsGrowing()
    {
        await using var h = await CrashThreeTimesThenRunAsync(TimeSpan.FromSeconds(9));

        var delay = await CrashAsync(h);

        Assert.Equal(TimeSpan.FromSeconds(2), delay);
    }

    [Fact]
    public async Task StartMany_StartThrows_InstanceFailedThenStartedAfterBackoff()
    {
        await using var h = await StartAsync();
        h.Runtime.FailStarts("e1");

        await h.ApplyAsync(Sleeper(placement: s_e1));
        await h.PassAsync();

        var backoff = h.Instances("sleeper")["e1"];
        Assert.Equal((InstanceState.Backoff, "could not start: cannot start on e1: no such namespace"), (backoff.State, backoff.LastExit));
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMilliseconds(250), backoff.NextStartAt);
        Assert.Equal(backoff.LastExit, Assert.Single(h.Events(EventKind.InstanceFailed)).Message);

        h.Runtime.ClearFailedStarts("e1");
        await h.StepAsync(TimeSpan.FromMilliseconds(250));

        Assert.Single(h.Runtime.Starts);
        await h.StepUntilAsync(() => h.Workload("sleeper").Status == WorkloadStatus.Ready, "ready");
    }

    /// <summary>Crashes the instance on e1 and returns the backoff the loop chose (its restart time less now).</summary>
    private static async Task<TimeSpan> CrashAsync(LoopHarness h)
    {
        Assert.True(h.Runtime.Crash("sleeper", "e1"));
        await h.UntilAsync(() => h.Instances("sleeper")["e1"].State == InstanceState.Backoff, "the crash seen");
        return h.Instances("sleeper")["e1"].NextStartAt!.Value - h.Time.GetUtcNow();
    }

    /// <summary>Three crashes in a row (the next backoff would be 2 s), then a healthy run of <paramref name="run"/>.</summary>
    private static async Task<LoopHarness> CrashThreeTimesThenRunAsync(TimeSpan run)
    {
        var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper(placement: s_e1));
        for (var crash = 1; crash <= 3; crash++)
        {
            await h.StepAsync(await CrashAsync(h));
        }

        await h.StepUntilAsync(() => h.Instances("sleeper")["e1"].State == InstanceState.Healthy, "healthy again");
        await h.StepAsync(run);
        Assert.Equal(InstanceState.Healthy, h.Instances("sleeper")["e1"].State);
        return h;
    }
}
