using System.Net;
using GeoStage.Core.Model;
using Xunit;

namespace GeoStage.Core.Tests.Model;

public sealed class Ipv4Tests
{
    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("192.168.10.0/24")]
    [InlineData("192.168.10.7/32")]
    [InlineData("0.0.0.0/0")]
    public void TryParseNetwork_CanonicalCidr_ReturnsTheNetwork(string text)
    {
        Assert.True(Ipv4.TryParseNetwork(text, out var network, out _));
        Assert.Equal(IPNetwork.Parse(text), network);
    }

    [Theory]
    [InlineData("192.168.10.0", "is not a CIDR")]
    [InlineData("192.168.10.0/33", "is not a CIDR")]
    [InlineData("192.168.10.0/x", "is not a CIDR")]
    [InlineData("192.168.10.1/24", "has host bits set; did you mean 192.168.10.0/24?")]
    [InlineData("10.1.2.3/8", "did you mean 10.0.0.0/8?")]
    [InlineData("192.168.10/24", "is not an IPv4 CIDR")]
    [InlineData("2001:db8::/32", "is IPv6; only IPv4 is supported")]
    public void TryParseNetwork_BadCidr_SaysWhy(string text, string fragment)
    {
        Assert.False(Ipv4.TryParseNetwork(text, out _, out var problem));
        Assert.Contains(fragment, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4.5")]
    [InlineData("host.example")]
    public void TryParseAddress_NotFourOctets_IsRejected(string text)
    {
        Assert.False(Ipv4.TryParseAddress(text, out _, out var problem));
        Assert.Contains("is not an IPv4 address", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0/24", true)]
    [InlineData("10.0.0.0/16", "10.0.200.0/24", true)]
    [InlineData("10.0.200.0/24", "10.0.0.0/16", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false)]
    [InlineData("10.0.0.0/25", "10.0.0.128/25", false)]
    [InlineData("0.0.0.0/0", "192.168.1.0/24", true)]
    public void Overlaps_TwoNetworks_IsSymmetricAndExact(string a, string b, bool expected)
    {
        Assert.Equal(expected, Ipv4.Overlaps(IPNetwork.Parse(a), IPNetwork.Parse(b)));
        Assert.Equal(expected, Ipv4.Overlaps(IPNetwork.Parse(b), IPNetwork.Parse(a)));
    }

    [Theory]
    [InlineData("192.168.10.0/24", "192.168.10.1", "192.168.10.254")]
    [InlineData("192.168.10.0/29", "192.168.10.1", "192.168.10.6")]
    [InlineData("192.168.10.0/30", "192.168.10.1", "192.168.10.2")]
    [InlineData("192.168.10.0/31", "192.168.10.0", "192.168.10.1")]
    [InlineData("192.168.10.7/32", "192.168.10.7", "192.168.10.7")]
    public void Hosts_Network_LeavesOutNetworkAndBroadcastAddresses(string cidr, string first, string last)
    {
        var (lo, hi) = Ipv4.Hosts(IPNetwork.Parse(cidr));

        Assert.Equal((first, last), (Ipv4.FromUInt(lo).ToString(), Ipv4.FromUInt(hi).ToString()));
    }

    [Theory]
    [InlineData("192.168.10.0", false)]
    [InlineData("192.168.10.1", true)]
    [InlineData("192.168.10.254", true)]
    [InlineData("192.168.10.255", false)]
    [InlineData("192.168.11.1", false)]
    public void IsHost_Address_IsTrueOnlyForUsableHosts(string address, bool expected)
    {
        Assert.Equal(expected, Ipv4.IsHost(IPNetwork.Parse("192.168.10.0/24"), IPAddress.Parse(address)));
    }

    [Fact]
    public void ToUInt_FromUInt_RoundTrip()
    {
        Assert.Equal(0xC0A80A01u, Ipv4.ToUInt(IPAddress.Parse("192.168.10.1")));
        Assert.Equal("255.255.255.255", Ipv4.FromUInt(uint.MaxValue).ToString());
    }
}
