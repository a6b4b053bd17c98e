namespace GeoStage.Core.Model;

/// <summary>One ordered pair of nodes as probed. RTTs in milliseconds; null when nothing came back.</summary>
public sealed record ReachPair
{
    public required string From { get; init; }
    public required string To { get; init; }
    public required string FromSite { get; init; }
    public required string ToSite { get; init; }
    public required bool Reachable { get; init; }
    public double? RttMs { get; init; }
    public double? MinRttMs { get; init; }
    public double? MaxRttMs { get; init; }
    public int Sent { get; init; }
    public int Received { get; init; }

    /// <summary>TTL of the reply as received: 64 minus the routers crossed on the way back.</summary>
    public int? Ttl { get; init; }
}

/// <summary>A reachability matrix measured by real probes, with or without the overlay.</summary>
public sealed record Reachability
{
    public required string Environment { get; init; }
    public required bool Overlay { get; init; }
    public required DateTimeOffset MeasuredAt { get; init; }
    public required IReadOnlyList<ReachPair> Pairs { get; init; }

    public int ReachableCount => Pairs.Count(p => p.Reachable);

    public int Total => Pairs.Count;

    public bool All => Pairs.All(p => p.Reachable);
}
