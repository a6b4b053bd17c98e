namespace GeoStage.Balancer.Forwarding;

/// <summary>How <see cref="TcpProxy"/> orders the healthy backends for each new client.</summary>
public enum BalancingPolicy
{
    /// <summary>Each client starts one backend further along than the previous one.</summary>
    RoundRobin,

    /// <summary>Fewest open connections first; ties go round robin.</summary>
    LeastConnections,

    /// <summary>
    /// Rendezvous hashing of the client address: the same address reaches the same backend while the
    /// healthy set is unchanged, and when a backend leaves only its own clients move.
    /// </summary>
    SourceIpHash,
}
