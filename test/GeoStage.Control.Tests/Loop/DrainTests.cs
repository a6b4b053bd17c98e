using System.Net;
using GeoStage.Control.Balancers;
using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Testing.Fakes;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// Instances fronted by a balancer leave its rotation before they stop: marked draining, stopped once the
/// balancer's slowest health refresh and a margin have passed (500 ms + 300 ms here), on fake time.
/// </summary>
public sealed class DrainTests
{
    private static readonly TimeSpan s_drain = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task Stop_WorkloadBehindBalancer_DrainsThenStopsAfterDelay()
    {
        await using var h = await StartAsync();
        await DeployBehindBalancerAsync(h);

        await h.StopAsync("web");
        await h.PassAsync();

        var draining = h.Events(EventKind.InstanceDraining);
        Assert.Equal(4, draining.Count);
        Assert.All(draining, e => Assert.Equal("out of the balancers' rotation; stops in 800 ms", e.Message));
        Assert.All(h.Instances("web").Values, i => Assert.Equal((InstanceState.Draining, h.Time.GetUtcNow() + s_drain), (i.State, i.DrainUntil)));
        Assert.Empty(WebStops(h));

        await h.StepAsync(s_drain - Tick);
        Assert.Empty(WebStops(h));
        Assert.Equal(4, h.Instances("web").Count);

        await h.StepAsync(Tick);
        Assert.Equal(["e1", "e2", "w1", "w2"], WebStops(h).Select(s => s.Node).Order());
        Assert.Empty(h.Instances("web"));
        var stopped = h.Events(EventKind.InstanceStopped);
        Assert.Equal(4, stopped.Count);
        Assert.True(draining.Max(e => e.Id) < stopped.Min(e => e.Id));
    }

    [Fact]
    public async Task Stop_WorkloadWithoutBalancer_StopsAtOnce()
    {
        await using var h = await StartAsync();
        await h.DeployReadyAsync(Sleeper("web"));

        await h.StopAsync("web");
        await h.PassAsync();

        Assert.Equal(4, WebStops(h).Count);
        Assert.Empty(h.Events(EventKind.InstanceDraining));
        Assert.Empty(h.Instances("web"));
    }

    [Fact]
    public async Task Update_WorkloadBehindBalancer_DrainsEachInstanceBeforeReplacingIt()
    {
        await using var h = await StartAsync();
        await DeployBehindBalancerAsync(h);
        var old = h.Instances("web")["e1"].Handle;

        await h.UpdateAsync("web", s => s with { Version = "2" });
        await h.PassAsync();
        Assert.Equal(InstanceState.Draining, h.Instances("web")["e1"].State);

        await h.StepAsync(s_drain - Tick);
        Assert.Empty(WebStops(h));
        Assert.DoesNotContain(h.Runtime.Starts, s => s.Version == "2");

        await h.StepAsync(Tick);
        Assert.Equal(old, Assert.Single(WebStops(h)).Handle);
        Assert.Equal(["e1"], h.Runtime.Starts.Where(s => s.Version == "2").Select(s => s.Node));
    }

    /// <summary>The balancer in front of web: replicas on east, VIP on east's LAN.</summary>
    internal static BalancerModel Front() => new()
    {
        Name = "front",
        Site = "east",
        Vip = IPAddress.Parse("10.91.0.200"),
        Replicas = new PlacementModel { Sites = ["east"] },
        Listeners = [new ListenerModel(80, "web", 8080)],
    };

    internal static WorkloadModel FrontWorkload() => BalancerWorkloads.ToWorkload(Front(), "loop", "/nonexistent", ["/usr/local/bin/geostage"]);

    /// <summary>Web on every node and the balancer's replicas on east, all healthy (the balancer leads nowhere: no replica reports).</summary>
    private static async Task DeployBehindBalancerAsync(LoopHarness h)
    {
        await h.ApplyAsync(Sleeper("web"), FrontWorkload());
        await h.StepUntilAsync(
            () => h.Workload("web").Status == WorkloadStatus.Ready && h.Instances("lb-front").Values.All(i => i.State == InstanceState.Healthy),
            "web ready behind its balancer");
    }

    private static List<FakeJournalEntry> WebStops(LoopHarness h) => [.. h.Runtime.Journal.Where(e => e.Action == FakeAction.Stop && e.Workload == "web")];
}
