using GeoStage.Local.Instances;
using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// The control loop's commands on a real SQLite store, without root and without running the loop: what an
/// update builds on, what a rollout returns to, and how generations end. A generation is made healthy by
/// writing what the reconcile would have written once every instance was healthy.
/// </summary>
public sealed class GenerationHistoryTests : IDisposable
{
    private readonly TempState _temp = new();
    private readonly ControlStore _store;
    private readonly ControlLoop _loop;

    public GenerationHistoryTests()
    {
        var states = new StateStore(_temp.Root);
        var model = SpecValidator.Load(Topologies.TwoSites("gh"), "test.yaml", []);
        var state = new EnvironmentState { Name = model.Name, Phase = EnvironmentPhase.Up, Model = model, CreatedAt = DateTimeOffset.UtcNow };
        _store = new ControlStore(states.Open(model.Name));
        _loop = new ControlLoop(states, state, _store, new LocalBackend(states, TimeProvider.System), new LocalRuntime(states.EnsureDirectory(state.Name, "instances")), TimeProvider.System);
    }

    [Fact]
    public void Update_VersionOnlyWhileNeverHealthyRolloutRuns_BuildsOnLastHealthySpec()
    {
        _loop.Apply([Sleeper("20", "600")]);
        MarkHealthy();

        _loop.Update("sleeper", s => s with { Version = "21", Args = ["/nonexistent.dll"] });
        var updated = _loop.Update("sleeper", s => s with { Version = "22" });

        Assert.Equal(["600"], updated.Spec.Args);
        Assert.Equal("20", updated.Previous?.Version);
        Assert.Equal(1, updated.LastHealthy?.Generation);
        Assert.Contains("built on version 20 (generation 1, the last fully healthy), not on version 21", updated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_AfterHealthyRollout_BuildsOnCurrentSpecWithoutNote()
    {
        _loop.Apply([Sleeper("20", "600")]);
        MarkHealthy();
        _loop.Update("sleeper", s => s with { Version = "21", Args = ["700"] });
        MarkHealthy();

        var updated = _loop.Update("sleeper", s => s with { Version = "22" });

        Assert.Equal(["700"], updated.Spec.Args);
        Assert.Equal("21", updated.Previous?.Version);
        Assert.Null(updated.Message);
    }

    [Fact]
    public void Update_BeforeEarlierChangeIsReady_EarlierGenerationSupersededByNumber()
    {
        _loop.Apply([Sleeper("9", "600")]);
        MarkHealthy();

        _loop.Update("sleeper", s => s with { Version = "10" });
        var latest = _loop.Update("sleeper", s => s with { Version = "11" });

        var ten = latest.History.Single(g => g.Generation == 2);
        Assert.Equal(GenerationOutcome.Superseded, ten.Outcome);
        Assert.Equal(3, ten.SupersededBy);
        Assert.StartsWith("version 10 was superseded by version 11 (update at ", ten.Message, StringComparison.Ordinal);
        Assert.EndsWith(") before it was ready", ten.Message, StringComparison.Ordinal);
        Assert.Equal(GenerationOutcome.Ready, latest.History.Single(g => g.Generation == 1).Outcome);
        Assert.Equal(GenerationOutcome.Pending, latest.History.Single(g => g.Generation == 3).Outcome);
    }

    [Fact]
    public void Stop_DuringRollout_GenerationEndsAsStopped()
    {
        _loop.Apply([Sleeper("9", "600")]);

        var stopped = _loop.Stop("sleeper");

        var only = Assert.Single(stopped.History);
        Assert.Equal(GenerationOutcome.Superseded, only.Outcome);
        Assert.Null(only.SupersededBy);
        Assert.StartsWith("version 9 was stopped (stop at ", only.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    private static WorkloadModel Sleeper(string version, string seconds) =>
        new() { Name = "sleeper", Version = version, Command = "/bin/sleep", Args = [seconds] };

    /// <summary>What the reconcile records once every instance of the current generation is healthy.</summary>
    private void MarkHealthy()
    {
        var workload = _store.Workload("sleeper")!;
        var now = DateTimeOffset.UtcNow;
        _store.Save(workload with
        {
            Status = WorkloadStatus.Ready,
            Previous = null,
            LastHealthy = new HealthyGeneration(workload.Generation, workload.Spec, now),
            History = [.. workload.History.Select(g => g.Generation == workload.Generation ? g with { Outcome = GenerationOutcome.Ready, EndedAt = now } : g)],
        });
    }
}
