using System.Net;

namespace GeoStage.Balancer.Replica;

/// <summary>Holds the balancer's virtual IP on this replica: by ARP on a LAN, or by a cloud API through hooks.</summary>
public interface IVipHolder
{
    Task TakeAsync(long term, CancellationToken cancellationToken);

    Task ReleaseAsync(long term, CancellationToken cancellationToken);

    /// <summary>Runs what taking the VIP runs, changing nothing (no address added, no frame sent), so the first takeover is not the slow one.</summary>
    Task WarmUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Where backends come from: the control plane's healthy instances of a workload.</summary>
public interface IBackendSource
{
    Task<IReadOnlyList<IPEndPoint>> ReadAsync(string workload, int port, CancellationToken cancellationToken);
}

/// <summary>Whether this replica's own network path works (its LAN and gateway), not only its lease.</summary>
public interface IDataPath
{
    Task<bool> WorksAsync(CancellationToken cancellationToken);
}

/// <summary>What a replica reports of itself, for lb status and events.</summary>
public sealed record ReplicaReport(
    string Balancer,
    string Node,
    bool Leader,
    long Term,
    DateTimeOffset Since,
    double? LastTakeoverMs,
    IReadOnlyList<BackendReport> Backends)
{
    /// <summary>Why this replica last stopped leading ("its data path failed", ...); null until it has.</summary>
    public string? SteppedDown { get; init; }
}

/// <summary>One backend as a replica sees it; plain values, so that it travels as JSON.</summary>
public sealed record BackendReport(string Endpoint, bool Healthy, long ActiveConnections, long TotalConnections, long BytesToBackend, long BytesFromBackend, long ConnectFailures)
{
    public static BackendReport Of(Forwarding.BackendStats stats) => new(
        stats.Endpoint.ToString(), stats.Healthy, stats.ActiveConnections, stats.TotalConnections, stats.BytesToBackend, stats.BytesFromBackend, stats.ConnectFailures);
}
