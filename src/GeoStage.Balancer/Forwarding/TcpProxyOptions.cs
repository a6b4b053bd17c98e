namespace GeoStage.Balancer.Forwarding;

/// <summary>How a <see cref="TcpProxy"/> balances, times out, limits and shuts down.</summary>
public sealed record TcpProxyOptions
{
    public BalancingPolicy Policy { get; init; } = BalancingPolicy.RoundRobin;

    /// <summary>How long one backend may take to accept before the next one is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection with no bytes moving either way for this long is closed on both sides.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off. The default is nginx's stream proxy_timeout.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public ShutdownMode ShutdownMode { get; init; } = ShutdownMode.Drain;

    /// <summary>With <see cref="ShutdownMode.Drain"/>, how long established connections may take to end.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Open client connections at most; clients beyond it are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Open connections per backend at most; a backend at its limit is skipped.</summary>
    public int MaxConnectionsPerBackend { get; init; } = int.MaxValue;

    /// <summary>Bytes read at once per direction; buffers come from the shared pool and go back when a side goes quiet.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// On Linux, a direction that keeps the buffer full (a bulk transfer) moves on socket to pipe to socket
    /// with splice(2), without copying the bytes into the process; small exchanges stay on the copy, where
    /// splice would only add calls. Off: every byte is copied through the buffer.
    /// </summary>
    public bool Splice { get; init; } = true;

    /// <summary>Backlog of the listener the proxy opens; a socket handed in that already listens keeps its own.</summary>
    public int ListenBacklog { get; init; } = 512;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(IdleTimeout, nameof(IdleTimeout));
        if (DrainTimeout < TimeSpan.Zero && DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "must be zero or more, or infinite");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerBackend, 1, nameof(MaxConnectionsPerBackend));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 1024, nameof(BufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenBacklog, 1, nameof(ListenBacklog));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (!Enum.IsDefined(Policy))
        {
            throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "unknown balancing policy");
        }

        if (!Enum.IsDefined(ShutdownMode))
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownMode), ShutdownMode, "unknown shutdown mode");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be more than zero, or infinite");
        }
    }
}
