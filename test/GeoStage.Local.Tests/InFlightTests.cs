using GeoStage.Local.Probing;
using Xunit;

namespace GeoStage.Local.Tests;

public sealed class InFlightTests
{
    private static readonly TimeSpan s_expiry = TimeSpan.FromSeconds(1);

    [Fact]
    public void TryAdd_WindowFullOfUnansweredRequests_Refused()
    {
        var window = new InFlight(2, s_expiry);
        window.TryAdd(0, TimeSpan.Zero, _ => false);
        window.TryAdd(1, TimeSpan.Zero, _ => false);

        Assert.False(window.TryAdd(2, TimeSpan.FromMilliseconds(500), _ => false));
    }

    [Fact]
    public void TryAdd_ARequestAnswered_ItsPlaceIsFree()
    {
        var window = new InFlight(2, s_expiry);
        window.TryAdd(0, TimeSpan.Zero, _ => false);
        window.TryAdd(1, TimeSpan.Zero, _ => false);

        Assert.True(window.TryAdd(2, TimeSpan.FromMilliseconds(10), t => t == 1));
        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void TryAdd_ARequestUnansweredPastExpiry_CountsAsLostAndFreesItsPlace()
    {
        var window = new InFlight(2, s_expiry);
        window.TryAdd(0, TimeSpan.Zero, _ => false);
        window.TryAdd(1, TimeSpan.FromMilliseconds(600), _ => false);

        Assert.True(window.TryAdd(2, s_expiry, _ => false));
        Assert.False(window.TryAdd(3, s_expiry, _ => false));
    }
}
