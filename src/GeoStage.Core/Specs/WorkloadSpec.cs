namespace GeoStage.Core.Specs;

/// <summary>A workload as the user wrote it: a command run on every node its placement selects.</summary>
public sealed record WorkloadSpec
{
    public required string Name { get; init; }
    public string Version { get; init; } = "1";
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public PlacementSpec Placement { get; init; } = new();
    public HealthSpec? Health { get; init; }
    public RolloutSpec Rollout { get; init; } = new();

    /// <summary>TCP ports the workload listens on, so that two workloads on one node cannot clash.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
}

/// <summary>Which nodes run a workload. Every filter given must hold; none given means every node.</summary>
public sealed record PlacementSpec
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Sites { get; init; } = [];
    public IReadOnlyList<string> Nodes { get; init; } = [];

    /// <summary>At most this many nodes per site, the first in file order.</summary>
    public string? PerSite { get; init; }
}

/// <summary>How to tell an instance is healthy: exactly one of tcp, http or command.</summary>
public sealed record HealthSpec
{
    public string? Tcp { get; init; }
    public string? Http { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public string? Interval { get; init; }
    public string? Timeout { get; init; }
}

public sealed record RolloutSpec
{
    public string? MaxUnavailable { get; init; }
    public string? HealthTimeout { get; init; }
}
