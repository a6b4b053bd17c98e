using System.Net;
using GeoStage.Balancer.Forwarding;
using GeoStage.Balancer.Forwarding.Policies;
using Xunit;

namespace GeoStage.Balancer.Tests.Forwarding;

public sealed class BalancingPolicyTests
{
    private static readonly BackendState[] s_backends = [.. Enumerable.Range(1, 4).Select(i => new BackendState(new BackendEndpoint(new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), 8080))))];
    private static readonly IPAddress[] s_clients = [.. Enumerable.Range(0, 400).Select(i => new IPAddress([192, 168, (byte)(i / 256), (byte)i]))];

    [Fact]
    public void SourceIpHash_BackendLeaves_OnlyItsClientsMove()
    {
        var policy = new SourceIpHashPolicy();
        var before = s_clients.ToDictionary(c => c, c => First(policy, s_backends, c));
        var leaving = s_backends[2];
        var after = s_clients.ToDictionary(c => c, c => First(policy, [.. s_backends.Where(b => b != leaving)], c));

        Assert.All(s_clients.Where(c => before[c] != leaving), c => Assert.Same(before[c], after[c]));
        Assert.All(before.Values.GroupBy(b => b), g => Assert.InRange(g.Count(), 60, 140));
        Assert.Equal(3, after.Values.Distinct().Count());
    }

    [Fact]
    public void SourceIpHash_SameClientDifferentSetOrder_SameBackend()
    {
        var policy = new SourceIpHashPolicy();

        Assert.All(s_clients, c => Assert.Same(First(policy, s_backends, c), First(policy, [.. s_backends.Reverse()], c)));
    }

    [Fact]
    public void SourceIpHash_IPv4MappedClient_HashesAsIPv4()
    {
        var policy = new SourceIpHashPolicy();

        Assert.All(s_clients, c => Assert.Same(First(policy, s_backends, c), First(policy, s_backends, c.MapToIPv6())));
    }

    [Fact]
    public void RoundRobin_Order_EachBackendLeadsInTurnAndTheRestFollowInSetOrder()
    {
        var policy = new RoundRobinPolicy();
        var orders = Enumerable.Range(0, 4).Select(_ => Ordered(policy, s_backends, client: null)).ToList();

        Assert.Equal(s_backends, orders[0]);
        Assert.Equal([s_backends[1], s_backends[2], s_backends[3], s_backends[0]], orders[1]);
        Assert.Equal([s_backends[3], s_backends[0], s_backends[1], s_backends[2]], orders[3]);
    }

    private static BackendState First(IBalancingPolicy policy, BackendState[] backends, IPAddress client) =>
        Ordered(policy, backends, client)[0];

    private static BackendState[] Ordered(IBalancingPolicy policy, BackendState[] backends, IPAddress? client)
    {
        var copy = backends.ToArray();
        policy.Order(copy, client);
        return copy;
    }
}
