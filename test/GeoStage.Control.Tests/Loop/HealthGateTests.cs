using GeoStage.Control.Events;
using GeoStage.Control.Store;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// The health gate on fake time: an instance that never passes its check fails after the health timeout
/// (2 s in <see cref="LoopHarness.Sleeper"/>), and a failed rollout, by health or by crashing, rolls back.
/// </summary>
public sealed class HealthGateTests
{
    [Fact]
    public async Task Supervise_HealthNeverPasses_FailedOnlyAfterHealthTimeout()
    {
        await using var h = await StartAsync();
        h.Runtime.SetHealth("sleeper", "w1", "connection refused");
        await h.ApplyAsync(Sleeper(health: Checked()));
        await h.UntilAsync(() => h.Instances("sleeper").Values.Count(i => i.State == InstanceState.Healthy) == 3, "three healthy");
        var started = h.Instances("sleeper")["w1"].StartedAt!.Value;

        await h.StepAsync(TimeSpan.FromSeconds(1.9));
        await h.PassAsync();
        var waiting = h.Instances("sleeper")["w1"];
        Assert.Equal((InstanceState.Starting, "connection refused"), (waiting.State, waiting.Health));

        await h.StepAsync(TimeSpan.FromSeconds(0.2));

        Assert.Equal(InstanceState.Failed, h.Instances("sleeper")["w1"].State);
        Assert.True(h.Time.GetUtcNow() - started > TimeSpan.FromSeconds(2));
        var unhealthy = Assert.Single(h.Events(EventKind.InstanceUnhealthy));
        Assert.Equal(("w1", "not healthy within 2 s: connection refused"), (unhealthy.Node, unhealthy.Message));
        Assert.Equal(WorkloadStatus.Progressing, h.Workload("sleeper").Status);
        Assert.Empty(h.Events(EventKind.RolloutFailed));
    }

    [Fact]
    public async Task Supervise_FailedInstanceTurnsHealthy_WorkloadBecomesReady()
    {
        await using var h = await StartAsync();
        h.Runtime.SetHealth("sleeper", "w1", "connection refused");
        await h.ApplyAsync(Sleeper(health: Checked()));
        await h.StepUntilAsync(() => h.Instances("sleeper").GetValueOrDefault("w1")?.State == InstanceState.Failed, "w1 failed");

        h.Runtime.SetHealth("sleeper", "w1", null);
        await h.StepUntilAsync(() => h.Workload("sleeper").Status == WorkloadStatus.Ready, "ready");

        Assert.Single(h.Runtime.Starts, s => s.Node == "w1");
    }

    [Fact]
    public async Task Update_NewVersionFailsHealthGate_RollsBackOnlyTheReplacedInstance()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper(health: Checked()));
        h.Runtime.SetHealth("sleeper", "e1", "HTTP 503", version: "2");

        await h.UpdateAsync("sleeper", s => s with { Version = "2" });
        await h.StepUntilAsync(() => h.Workload("sleeper").Status == WorkloadStatus.RolledBack, "rolled back");

        Assert.Equal(["1", "2", "1"], h.Runtime.Starts.Where(s => s.Node == "e1").Select(s => s.Version));
        Assert.All(["e2", "w1", "w2"], node => Assert.Single(h.Runtime.Starts, s => s.Node == node));
        var failed = Assert.Single(h.Events(EventKind.RolloutFailed));
        Assert.StartsWith("version 2 failed its health check on e1 (HTTP 503); rolling back to version 1", failed.Message, StringComparison.Ordinal);
        var workload = h.Workload("sleeper");
        Assert.Equal(("1", 3L), (workload.Spec.Version, workload.Generation));
        Assert.Equal(GenerationOutcome.RolledBack, workload.History.Single(g => g.Generation == 2).Outcome);
        Assert.All(h.Instances("sleeper").Values, i => Assert.Equal(("1", 3L, InstanceState.Healthy), (i.Version, i.Generation, i.State)));
    }

    [Fact]
    public async Task Update_NewVersionCrashLoops_FailsAtThirdCrashAndRollsBack()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper());

        await h.UpdateAsync("sleeper", s => s with { Version = "2" });
        for (var crash = 1; crash <= 3; crash++)
        {
            await h.StepUntilAsync(() => h.Instances("sleeper")["e1"] is { Version: "2", Handle: { } running } && h.Runtime.IsAlive(running), $"version 2 running on e1 before crash {crash}");
            var handle = h.Instances("sleeper")["e1"].Handle;
            Assert.True(h.Runtime.Crash("sleeper", "e1"));
            await h.UntilAsync(() => h.Instances("sleeper")["e1"].Handle != handle, $"crash {crash} seen");
        }

        await h.StepUntilAsync(() => h.Workload("sleeper").Status == WorkloadStatus.RolledBack, "rolled back");

        Assert.Equal(
            ["exited with code 1; restart 1 in 250 ms", "exited with code 1; restart 2 in 500 ms"],
            h.Events(EventKind.InstanceCrashed).Select(e => e.Message));
        Assert.Equal("version 2 crashed 3 times during the rollout: exited with code 1", Assert.Single(h.Events(EventKind.InstanceUnhealthy)).Message);
        Assert.Contains("(crashed 3 times)", Assert.Single(h.Events(EventKind.RolloutFailed)).Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2", "2", "2", "1"], h.Runtime.Starts.Where(s => s.Node == "e1").Select(s => s.Version));
        Assert.All(["e2", "w1", "w2"], node => Assert.Single(h.Runtime.Starts, s => s.Node == node));
    }
}
