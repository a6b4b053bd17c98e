namespace GeoStage.Core.Specs;

/// <summary>A load balancer as the user wrote it: replicas in one site sharing a VIP, listeners in front of workloads.</summary>
public sealed record BalancerSpec
{
    public required string Name { get; init; }
    public required string Site { get; init; }
    public required string Vip { get; init; }
    public PlacementSpec Replicas { get; init; } = new();
    public IReadOnlyList<ListenerSpec> Listeners { get; init; } = [];
    public string? Policy { get; init; }
    public string? HealthInterval { get; init; }
    public string? ConnectTimeout { get; init; }
    public string? IdleTimeout { get; init; }
    public string? MaxConnections { get; init; }
    public string? MaxPerBackend { get; init; }
    public string? LeaseTtl { get; init; }
    public IReadOnlyList<string> OnLeader { get; init; } = [];
    public IReadOnlyList<string> OnFollower { get; init; } = [];
}

/// <summary>A TCP port on the VIP, forwarded to a workload's instances on their port.</summary>
public sealed record ListenerSpec
{
    public required string Port { get; init; }
    public string Protocol { get; init; } = "tcp";
    public required string Backend { get; init; }
    public required string BackendPort { get; init; }
}
