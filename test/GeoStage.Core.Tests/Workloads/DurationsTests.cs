using GeoStage.Core.Model;
using Xunit;

namespace GeoStage.Core.Tests.Workloads;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0.25s", 250)]
    public void TryParse_NumberAndUnit_IsThatLong(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-1s")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("1 s")]
    [InlineData("10S")]
    [InlineData("1,5s")]
    [InlineData("1e3s")]
    [InlineData("2d")]
    [InlineData("Infinitys")]
    [InlineData("NaNs")]
    [InlineData("99999999999999999999h")]
    [InlineData("0.000001ms")]
    public void TryParse_NotANumberAndUnit_IsRejected(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }
}
