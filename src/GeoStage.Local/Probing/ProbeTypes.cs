using System.Net;

namespace GeoStage.Local.Probing;

/// <summary>A pair to probe: from a namespace to an address.</summary>
public sealed record ProbeTarget(string From, string FromNamespace, string To, IPAddress Address)
{
    /// <summary>Wait mode: the most requests to send to this pair; null: until the mode's time is up.</summary>
    public int? MaxAttempts { get; init; }
}

/// <summary>What probing one pair found. RTTs are in milliseconds; null when nothing came back.</summary>
public sealed record ProbeResult(ProbeTarget Target, int Sent, int Received, double? RttMs, double? MinRttMs, double? MaxRttMs, int? Ttl)
{
    public bool Reachable => Received > 0;
}

public sealed record ProbeOptions
{
    /// <summary>Echo requests per pair (measure mode).</summary>
    public int Count { get; init; } = 3;

    /// <summary>
    /// Measure mode: time between rounds of requests from one source. Wait mode: how long an unanswered pair
    /// waits before it is asked again; each further wait doubles, up to a second.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long to wait for replies after the last request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Wait mode: keep sending to each pair every <see cref="Interval"/> until its first reply or until
    /// this much time has passed; <see cref="Count"/> is then ignored.
    /// </summary>
    public TimeSpan? UntilReachableWithin { get; init; }

    /// <summary>Wait mode: the most requests one source has waiting for a reply at once; null: no limit.</summary>
    public int? Window { get; init; }

    /// <summary>Requests per second, all sources together.</summary>
    public double Rate { get; init; } = IcmpProber.DefaultRate;
}
