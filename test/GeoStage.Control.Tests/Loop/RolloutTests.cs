using GeoStage.Control.Store;
using GeoStage.Testing.Fakes;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>Rollouts on fake time: the order instances are replaced in, and the maxUnavailable budget.</summary>
public sealed class RolloutTests
{
    [Fact]
    public async Task Update_MaxUnavailableOne_ReplacesOneInstanceAtATimeInTopologyOrder()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());

        await h.UpdateAsync("sleeper", s => s with { Version = "2" });
        var worst = 0;
        await h.StepUntilAsync(
            () =>
            {
                worst = Math.Max(worst, h.Instances("sleeper").Values.Count(i => i.State != InstanceState.Healthy));
                return h.Workload("sleeper").Status == WorkloadStatus.Ready;
            },
            "version 2 ready");

        Assert.Equal(["e1", "e2", "w1", "w2"], h.Runtime.Starts.Where(s => s.Version == "2").Select(s => s.Node));
        Assert.Equal(1, worst);
        Assert.All(h.Instances("sleeper").Values, i => Assert.Equal(("2", 2L), (i.Version, i.Generation)));
    }

    [Fact]
    public async Task Update_MaxUnavailableTwo_ReplacesASiteAtOnceButNeverTwoSites()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper(maxUnavailable: 2));

        await h.UpdateAsync("sleeper", s => s with { Version = "2" });
        await h.PassAsync();
        Assert.Equal(["e1", "e2"], h.Runtime.Starts.Where(s => s.Version == "2").Select(s => s.Node).Order());

        var worst = 0;
        await h.StepUntilAsync(
            () =>
            {
                var instances = h.Instances("sleeper");
                worst = Math.Max(worst, instances.Values.Count(i => i.State != InstanceState.Healthy));

                // West is replaced only once east is healthy on the new version.
                Assert.True(
                    instances.Values.Where(i => i.Site == "west").All(i => i.Version == "1")
                        || instances.Values.Where(i => i.Site == "east").All(i => i.Version == "2" && i.State == InstanceState.Healthy),
                    "a west instance was replaced while east was still rolling out");
                return h.Workload("sleeper").Status == WorkloadStatus.Ready;
            },
            "version 2 ready");

        Assert.Equal(2, worst);
        Assert.Equal(["w1", "w2"], h.Runtime.Starts.Where(s => s.Version == "2").Skip(2).Select(s => s.Node).Order());
    }

    [Fact]
    public async Task Update_StoppingOldInstance_StopsItBeforeStartingItsReplacement()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());
        var old = h.Instances("sleeper")["e1"].Handle;

        await h.UpdateAsync("sleeper", s => s with { Version = "2" });
        await h.PassAsync();

        var stop = Assert.Single(h.Runtime.Journal);
        Assert.Equal((FakeAction.Stop, "e1", old), (stop.Action, stop.Node, stop.Handle));
        Assert.False(h.Runtime.IsAlive(old!));
        var replacement = h.Instances("sleeper")["e1"];
        Assert.Equal(("2", InstanceState.Starting), (replacement.Version, replacement.State));
    }
}
