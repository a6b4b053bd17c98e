using GeoStage.Balancer.Election;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Election;

public sealed class LeaderElectorTests
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(1);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task WaitForLeadership_LeaderPartitionedFromTheTable_StopsLeadingBeforeTheFollowerStarts()
    {
        var table = new LeaseTable(_time);
        var partitioned = new Partitionable(table);
        var a = new LeaderElector(partitioned, "vip", "a", s_ttl, _time);
        var b = new LeaderElector(table, "vip", "b", s_ttl, _time);
        var leaderA = await a.WaitForLeadershipAsync(CancellationToken.None);
        var followerB = b.WaitForLeadershipAsync(CancellationToken.None);

        // A renews for a while: B must not get in.
        for (var i = 0; i < 30; i++)
        {
            await StepAsync(TimeSpan.FromMilliseconds(100));
            Assert.False(followerB.IsCompleted, $"b leads while a renews (step {i})");
        }

        Assert.False(leaderA.Token.IsCancellationRequested);

        // Cut A off from the table: at no step may both lead.
        partitioned.Cut = true;
        var aLostAt = (TimeSpan?)null;
        var elapsed = TimeSpan.Zero;
        while (!followerB.IsCompleted)
        {
            await StepAsync(TimeSpan.FromMilliseconds(10));
            elapsed += TimeSpan.FromMilliseconds(10);
            if (leaderA.Token.IsCancellationRequested)
            {
                aLostAt ??= elapsed;
            }

            Assert.False(followerB.IsCompleted && !leaderA.Token.IsCancellationRequested, $"two leaders at {elapsed.TotalMilliseconds} ms");
            Assert.True(elapsed < TimeSpan.FromSeconds(5), "b never took over");
        }

        var leaderB = await followerB;
        Assert.NotNull(aLostAt);
        Assert.True(aLostAt < elapsed, $"a let go at {aLostAt?.TotalMilliseconds} ms, b took over at {elapsed.TotalMilliseconds} ms");
        Assert.Equal(leaderA.Term + 1, leaderB.Term);
    }

    [Fact]
    public async Task DisposeAsync_Leader_ReleasesSoTheFollowerTakesOverWithoutWaitingForExpiry()
    {
        var table = new LeaseTable(_time);
        var a = new LeaderElector(table, "vip", "a", s_ttl, _time);
        var b = new LeaderElector(table, "vip", "b", s_ttl, _time);
        var leaderA = await a.WaitForLeadershipAsync(CancellationToken.None);
        var followerB = b.WaitForLeadershipAsync(CancellationToken.None);
        await StepAsync(TimeSpan.FromMilliseconds(100));

        await leaderA.DisposeAsync();
        var elapsed = TimeSpan.Zero;
        while (!followerB.IsCompleted)
        {
            await StepAsync(TimeSpan.FromMilliseconds(10));
            elapsed += TimeSpan.FromMilliseconds(10);
            Assert.True(elapsed <= b.RetryInterval + TimeSpan.FromMilliseconds(50), $"b waited {elapsed.TotalMilliseconds} ms after a released");
        }

        Assert.Equal(2, (await followerB).Term);
    }

    [Fact]
    public async Task WaitForLeadership_LeaseTakenByAnother_LeaderTokenCancelledAtNextRenewal()
    {
        var table = new LeaseTable(_time);
        var a = new LeaderElector(table, "vip", "a", s_ttl, _time);
        var leaderA = await a.WaitForLeadershipAsync(CancellationToken.None);

        table.Revoke("vip", "a", leaderA.Term);
        table.AcquireOrRenew("vip", "intruder", s_ttl);
        var elapsed = TimeSpan.Zero;
        while (!leaderA.Token.IsCancellationRequested)
        {
            await StepAsync(TimeSpan.FromMilliseconds(10));
            elapsed += TimeSpan.FromMilliseconds(10);
            Assert.True(elapsed <= a.RenewInterval + TimeSpan.FromMilliseconds(100), $"a still leads {elapsed.TotalMilliseconds} ms after losing its lease");
        }
    }

    /// <summary>Advances time, then lets the continuations it woke run (they run on the thread pool).</summary>
    private async Task StepAsync(TimeSpan by)
    {
        _time.Advance(by);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(2);
        }
    }

    /// <summary>A lease client whose link to the table can be cut.</summary>
    private sealed class Partitionable(ILeaseClient inner) : ILeaseClient
    {
        public bool Cut { get; set; }

        public Task<LeaseGrant> AcquireOrRenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
            Cut ? Task.FromException<LeaseGrant>(new IOException("partitioned")) : inner.AcquireOrRenewAsync(name, holder, ttl, cancellationToken);

        public Task<LeaseGrant> ReleaseAsync(string name, string holder, long term, CancellationToken cancellationToken) =>
            Cut ? Task.FromException<LeaseGrant>(new IOException("partitioned")) : inner.ReleaseAsync(name, holder, term, cancellationToken);
    }
}
