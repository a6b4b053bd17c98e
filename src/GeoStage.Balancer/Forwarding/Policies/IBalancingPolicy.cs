using System.Net;

namespace GeoStage.Balancer.Forwarding.Policies;

/// <summary>Orders the healthy backends for one new client: the proxy tries them in that order.</summary>
internal interface IBalancingPolicy
{
    /// <summary>Rearranges <paramref name="candidates"/> (never empty) in place.</summary>
    void Order(Span<BackendState> candidates, IPAddress? client);

    public static IBalancingPolicy Create(BalancingPolicy policy) => policy switch
    {
        BalancingPolicy.RoundRobin => new RoundRobinPolicy(),
        BalancingPolicy.LeastConnections => new LeastConnectionsPolicy(),
        BalancingPolicy.SourceIpHash => new SourceIpHashPolicy(),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown balancing policy"),
    };
}
