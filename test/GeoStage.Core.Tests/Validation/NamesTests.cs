using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Validation;

public sealed class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("node-01")]
    [InlineData("a-b-c9")]
    public void Check_DnsLabel_ReturnsNull(string name)
    {
        Assert.Null(Names.Check(name));
    }

    [Fact]
    public void Check_63Characters_ReturnsNull()
    {
        Assert.Null(Names.Check(new string('a', Names.MaxLength)));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("Node", "is not a DNS-1123 label")]
    [InlineData("node_1", "is not a DNS-1123 label")]
    [InlineData("-node", "is not a DNS-1123 label")]
    [InlineData("node-", "is not a DNS-1123 label")]
    [InlineData("a.b", "is not a DNS-1123 label")]
    [InlineData("nöde", "is not a DNS-1123 label")]
    public void Check_NotALabel_SaysWhy(string name, string fragment)
    {
        Assert.Contains(fragment, Names.Check(name), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_64Characters_SaysTheLimit()
    {
        Assert.Equal($"'{new string('a', 64)}' is 64 characters long; a name has at most 63", Names.Check(new string('a', 64)));
    }
}
