namespace GeoStage.Balancer.Forwarding;

public sealed partial class TcpProxy
{
    private readonly Lock _updateGate = new();

    // Never changed once published: UpdateBackends builds a new array and swaps it in whole.
    private volatile BackendState[] _backends = [];

    /// <summary>
    /// Replaces the backend set for new connections; established ones keep their backend until they end.
    /// Endpoints already in the set keep their health and counters; new ones start healthy.
    /// </summary>
    public void UpdateBackends(IReadOnlyList<BackendEndpoint> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        lock (_updateGate)
        {
            var current = _backends.ToDictionary(b => b.Endpoint);
            var next = new BackendState[backends.Count];
            var seen = new HashSet<BackendEndpoint>();
            for (var i = 0; i < next.Length; i++)
            {
                var endpoint = backends[i] ?? throw new ArgumentException($"backend {i} is null", nameof(backends));
                if (!seen.Add(endpoint))
                {
                    throw new ArgumentException($"backend {endpoint} is listed twice", nameof(backends));
                }

                next[i] = current.GetValueOrDefault(endpoint) ?? new BackendState(endpoint);
            }

            _backends = next;
        }
    }

    /// <summary>
    /// Takes a backend out of the rotation (false) or back in (true), for new connections at once.
    /// Returns false when the endpoint is not in the current set.
    /// </summary>
    public bool SetHealth(BackendEndpoint endpoint, bool healthy)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        foreach (var backend in _backends)
        {
            if (backend.Endpoint == endpoint)
            {
                backend.SetHealthy(healthy);
                return true;
            }
        }

        return false;
    }

    /// <summary>The counters of each backend in the current set, in set order. A removed backend's connections count only in <see cref="SnapshotTotals"/>.</summary>
    public IReadOnlyList<BackendStats> Snapshot() => Array.ConvertAll(_backends, b => b.Snapshot());

    public ProxyStats SnapshotTotals() => new(
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _unserved),
        Volatile.Read(ref _active),
        _counters.Spliced);

    private BackendState[] HealthyBackends() => Array.FindAll(_backends, b => b.IsHealthy);
}
