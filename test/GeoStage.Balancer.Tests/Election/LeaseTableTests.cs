using GeoStage.Balancer.Election;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Election;

public sealed class LeaseTableTests
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(1);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void AcquireOrRenew_FreeThenRenewed_FirstTermKept()
    {
        var table = new LeaseTable(_time);

        var first = table.AcquireOrRenew("vip", "a", s_ttl);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var renewed = table.AcquireOrRenew("vip", "a", s_ttl);

        Assert.True(first.Granted);
        Assert.Equal(1, first.Term);
        Assert.True(renewed.Granted);
        Assert.Equal(1, renewed.Term);
        Assert.Equal(first.RenewedAt + TimeSpan.FromMilliseconds(500), renewed.RenewedAt);
    }

    [Fact]
    public void AcquireOrRenew_HeldByAnother_RefusedUntilExpiryThenNewTerm()
    {
        var table = new LeaseTable(_time);
        table.AcquireOrRenew("vip", "a", s_ttl);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        var early = table.AcquireOrRenew("vip", "b", s_ttl);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var late = table.AcquireOrRenew("vip", "b", s_ttl);

        Assert.False(early.Granted);
        Assert.Equal("a", early.Holder);
        Assert.True(late.Granted);
        Assert.Equal("b", late.Holder);
        Assert.Equal(2, late.Term);
    }

    [Fact]
    public void Release_ByHolder_NextAcquireAtOnceWithNewTerm()
    {
        var table = new LeaseTable(_time);
        var held = table.AcquireOrRenew("vip", "a", s_ttl);

        var wrongTerm = table.Release("vip", "a", held.Term + 1);
        var byOther = table.Release("vip", "b", held.Term);
        var released = table.Release("vip", "a", held.Term);
        var next = table.AcquireOrRenew("vip", "b", s_ttl);

        Assert.False(wrongTerm.Granted);
        Assert.False(byOther.Granted);
        Assert.True(released.Granted);
        Assert.True(next.Granted);
        Assert.Equal(2, next.Term);
    }

    [Fact]
    public void AcquireOrRenew_SameHolderAfterExpiry_StartsANewTerm()
    {
        var table = new LeaseTable(_time);
        table.AcquireOrRenew("vip", "a", s_ttl);

        _time.Advance(s_ttl);
        var again = table.AcquireOrRenew("vip", "a", s_ttl);

        Assert.Equal(2, again.Term);
    }

    [Fact]
    public void Revoke_HeldLease_FreesItForAnotherAtOnce()
    {
        var table = new LeaseTable(_time);
        table.AcquireOrRenew("vip", "a", s_ttl);

        var revoked = table.Revoke("vip", "a", 1);
        var taken = table.AcquireOrRenew("vip", "b", s_ttl);

        Assert.NotNull(revoked);
        Assert.True(taken.Granted);
        Assert.Equal(2, taken.Term);
    }

    [Fact]
    public void Revoke_LeaseMovedOnSince_LeavesTheNextHolderAlone()
    {
        var table = new LeaseTable(_time);
        table.AcquireOrRenew("vip", "a", s_ttl);
        table.Revoke("vip", "a", 1);
        table.AcquireOrRenew("vip", "b", s_ttl);

        // A second, late revocation of a's term 1 (the daemon fencing a's death twice).
        var late = table.Revoke("vip", "a", 1);
        var stale = table.Revoke("vip", "b", 1);

        Assert.Null(late);
        Assert.Null(stale);
        Assert.Equal("b", table.Get("vip")!.Holder);
        Assert.Equal(2, table.Get("vip")!.Term);
    }
}
