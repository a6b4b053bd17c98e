namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// One backend's counters at the moment of <see cref="TcpProxy.Snapshot"/>. Bytes are counted when the
/// proxy has written them on: <see cref="BytesToBackend"/> from clients, <see cref="BytesFromBackend"/> to clients.
/// </summary>
public sealed record BackendStats(
    BackendEndpoint Endpoint,
    bool Healthy,
    long ActiveConnections,
    long TotalConnections,
    long BytesToBackend,
    long BytesFromBackend,
    long ConnectFailures);
