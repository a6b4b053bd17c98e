using System.Net;

namespace GeoStage.Core.Model;

public enum BalancePolicy
{
    RoundRobin,
    LeastConnections,
    SourceHash,
}

/// <summary>A validated balancer.</summary>
public sealed record BalancerModel
{
    public required string Name { get; init; }
    public required string Site { get; init; }
    public required IPAddress Vip { get; init; }
    public required PlacementModel Replicas { get; init; }
    public required IReadOnlyList<ListenerModel> Listeners { get; init; }
    public BalancePolicy Policy { get; init; } = BalancePolicy.RoundRobin;
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxConnections { get; init; } = 10_000;
    public int MaxPerBackend { get; init; } = 1_000;
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(1);
    public IReadOnlyList<string> OnLeader { get; init; } = [];
    public IReadOnlyList<string> OnFollower { get; init; } = [];
}

public sealed record ListenerModel(int Port, string Backend, int BackendPort);
