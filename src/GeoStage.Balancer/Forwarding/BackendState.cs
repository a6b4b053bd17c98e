namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// One backend's health and counters. Shared by every backend set that lists the endpoint and by the
/// connections it serves, so a connection to a removed backend still releases its slot here.
/// Concurrency: any thread; every field is read and written with Volatile or Interlocked.
/// </summary>
internal sealed class BackendState(BackendEndpoint endpoint)
{
    private int _healthy = 1;
    private long _active;
    private long _total;
    private long _bytesToBackend;
    private long _bytesFromBackend;
    private long _connectFailures;

    public BackendEndpoint Endpoint { get; } = endpoint;

    /// <summary>This backend's half of a source-hash score, computed once.</summary>
    public ulong HashKey { get; } = StableHash.Of(endpoint.EndPoint);

    public bool IsHealthy => Volatile.Read(ref _healthy) != 0;

    public long ActiveConnections => Interlocked.Read(ref _active);

    public void SetHealthy(bool healthy) => Volatile.Write(ref _healthy, healthy ? 1 : 0);

    /// <summary>Takes a connection slot before connecting, so that concurrent clients see each other in least-connections.</summary>
    public bool TryReserve(int limit)
    {
        if (Interlocked.Increment(ref _active) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _active);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _active);

    public void CountConnected() => Interlocked.Increment(ref _total);

    public void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);

    public void CountBytes(bool toBackend, int count)
    {
        if (toBackend)
        {
            Interlocked.Add(ref _bytesToBackend, count);
        }
        else
        {
            Interlocked.Add(ref _bytesFromBackend, count);
        }
    }

    public BackendStats Snapshot() => new(
        Endpoint,
        IsHealthy,
        Interlocked.Read(ref _active),
        Interlocked.Read(ref _total),
        Interlocked.Read(ref _bytesToBackend),
        Interlocked.Read(ref _bytesFromBackend),
        Interlocked.Read(ref _connectFailures));
}
