using GeoStage.Balancer.Election;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Election;

public sealed class LeaderElectorTests
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
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

        // A renews for a while: B must not get in. Time moves only while both are parked on their timers.
        for (var i = 0; i < 30; i++)
        {
            await _time.WaitForWaitersAsync(2);
            Assert.False(followerB.IsCompleted, $"b leads while a renews (step {i})");
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await _time.WaitForWaitersAsync(2);
        Assert.False(followerB.IsCompleted);
        Assert.False(leaderA.Token.IsCancellationRequested);

        // Cut A off from the table: at no step may both lead.
        partitioned.Cut = true;
        int? aLostAt = null;
        var step = 0;
        while (true)
        {
            await SettledAsync(leaderA, followerB, step);
            if (leaderA.Token.IsCancellationRequested)
            {
                aLostAt ??= step;
            }

            Assert.False(followerB.IsCompleted && !leaderA.Token.IsCancellationRequested, $"two leaders at step {step}");
            if (followerB.IsCompleted)
            {
                break;
            }

            Assert.True(step < 500, "b never took over in 500 steps of 10 ms");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            step++;
        }

        var leaderB = await followerB;
        Assert.NotNull(aLostAt);
        Assert.True(aLostAt < step, $"a let go at step {aLostAt}, b took over at step {step}");
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
        await _time.WaitForWaitersAsync(2);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await _time.WaitForWaitersAsync(2);

        // Released, not expired: b's next retry, within one retry interval, finds the lease free.
        await leaderA.DisposeAsync();
        await _time.WaitForWaitersAsync(1);
        _time.Advance(b.RetryInterval);
        await _time.WaitForWaitersAsync(1);

        Assert.Equal("b", table.Get("vip")?.Holder);
        Assert.Equal(2, (await followerB.WaitAsync(s_wait)).Term);
    }

    [Fact]
    public async Task WaitForLeadership_LeaseTakenByAnother_LeaderTokenCancelledAtNextRenewal()
    {
        var table = new LeaseTable(_time);
        var a = new LeaderElector(table, "vip", "a", s_ttl, _time);
        var leaderA = await a.WaitForLeadershipAsync(CancellationToken.None);

        table.Revoke("vip", "a", leaderA.Term);
        table.AcquireOrRenew("vip", "intruder", s_ttl);
        await _time.WaitForWaitersAsync(1);
        _time.Advance(a.RenewInterval);

        // At that renewal a hears the lease is someone else's: it lets go, or (wrongly) parks for the next.
        await Wait.UntilAsync(() => leaderA.Token.IsCancellationRequested || _time.PendingTimers >= 1, s_wait, "a's renewal");
        Assert.True(leaderA.Token.IsCancellationRequested, "a still leads after a renewal that found the lease taken");
    }

    /// <summary>
    /// Waits until every live loop is parked on its timer: b has won, or a (unless it let go, which leaves
    /// it no timer) and b both wait for time to move. Only then is what the test sees all that happened.
    /// </summary>
    private Task SettledAsync(Leadership leaderA, Task<Leadership> followerB, int step) =>
        Wait.UntilAsync(
            () => followerB.IsCompleted || _time.PendingTimers >= (leaderA.Token.IsCancellationRequested ? 1 : 2),
            s_wait,
            $"both electors to settle after step {step}");

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
