using GeoStage.Balancer.Election;
using GeoStage.Balancer.Replica;
using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Testing.Fakes;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// A balancer replica that holds the lease dies: its VIP comes off its node before the lease is freed, so
/// that the next leader can never hold the VIP while the dead one's node still does.
/// </summary>
public sealed class FencingTests
{
    private static readonly string s_lease = BalancerReplica.LeaseName("front");

    [Fact]
    public async Task Fence_LeaderReplicaDies_VipRemovedBeforeLeaseFreed()
    {
        await using var h = await StartAsync();
        await DeployReplicasAsync(h);
        var vip = DrainTests.Front().Vip;
        Assert.True(h.Loop.Leases.AcquireOrRenew(s_lease, "e1", TimeSpan.FromSeconds(1)).Granted);
        h.Runtime.HoldVip("e1", vip);
        LeaseGrant? atFence = null;
        LeaseGrant? takeoverAtFence = null;
        h.Runtime.Observer = entry =>
        {
            if (entry.Action == FakeAction.FenceVip && entry.Node == "e1" && atFence is null)
            {
                atFence = h.Loop.Leases.Get(s_lease);
                takeoverAtFence = h.Loop.Leases.AcquireOrRenew(s_lease, "e2", TimeSpan.FromSeconds(1));
            }
        };

        Assert.True(h.Runtime.Crash("lb-front", "e1"));
        await h.UntilAsync(() => h.Events(EventKind.BalancerFenced).Count > 0, "the dead leader fenced");

        Assert.Equal(("e1", 1L), (atFence?.Holder, atFence?.Term));
        Assert.False(takeoverAtFence?.Granted);
        var fence = h.Runtime.Journal.First(e => e.Action == FakeAction.FenceVip);
        Assert.Equal(("e1", $"{vip} removed"), (fence.Node, fence.Detail));
        Assert.False(h.Runtime.HoldsVip("e1", vip));
        Assert.Null(h.Loop.Leases.Get(s_lease)?.Holder);
        Assert.StartsWith("e1's replica died (exited with code 1); fenced", h.Loop.LeaderLost["front"].Why, StringComparison.Ordinal);
        var fenced = Assert.Single(h.Events(EventKind.BalancerFenced));
        Assert.Equal("e1", fenced.Node);
        var next = h.Loop.Leases.AcquireOrRenew(s_lease, "e2", TimeSpan.FromSeconds(1));
        Assert.Equal((true, 2L), (next.Granted, next.Term));
    }

    [Fact]
    public async Task Fence_FollowerReplicaDies_NothingFencedLeaseKept()
    {
        await using var h = await StartAsync();
        await DeployReplicasAsync(h);
        Assert.True(h.Loop.Leases.AcquireOrRenew(s_lease, "e1", TimeSpan.FromSeconds(1)).Granted);

        Assert.True(h.Runtime.Crash("lb-front", "e2"));
        await h.UntilAsync(() => h.Events(EventKind.InstanceCrashed).Count > 0, "the crash seen");
        await h.PassAsync();

        Assert.DoesNotContain(h.Runtime.Journal, e => e.Action == FakeAction.FenceVip);
        Assert.Equal(("e1", 1L), (h.Loop.Leases.Get(s_lease)?.Holder, h.Loop.Leases.Get(s_lease)?.Term));
        Assert.Empty(h.Events(EventKind.BalancerFenced));
    }

    private static async Task DeployReplicasAsync(LoopHarness h)
    {
        await h.ApplyAsync(DrainTests.FrontWorkload());
        await h.StepUntilAsync(() => h.Instances("lb-front") is { Count: 2 } replicas && replicas.Values.All(i => i.State == InstanceState.Healthy), "both replicas healthy");
        Assert.True(h.Runtime.FenceWarmUps <= 1);
    }
}
