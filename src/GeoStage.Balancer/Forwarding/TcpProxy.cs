using System.Net;
using System.Net.Sockets;
using GeoStage.Balancer.Forwarding.Policies;

namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// An L4 TCP load balancer: accepts clients on one socket and forwards each, byte for byte, to a backend
/// that <see cref="TcpProxyOptions.Policy"/> picks among the healthy ones.
/// Concurrency: every public member may be called from any thread. The backend set is an array never
/// changed once published and replaced whole, so connections read it without a lock; counters move with
/// Interlocked; each connection runs on its own tasks and shares only those counters.
/// </summary>
public sealed partial class TcpProxy : IAsyncDisposable
{
    private static readonly TimeSpan s_acceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _listener;
    private readonly TcpProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly IBalancingPolicy _policy;

    // _stop ends the accept loop (DisposeAsync uses it); _abort closes every established connection.
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _runEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ProxyCounters _counters = new();
    private long _accepted;
    private long _rejected;
    private long _unserved;
    private int _active;
    private int _started;
    private int _stopping;
    private int _disposed;

    /// <summary>Binds and listens on <paramref name="listenOn"/> at once, so that a port 0 is known from <see cref="LocalEndPoint"/>.</summary>
    public TcpProxy(IPEndPoint listenOn, TcpProxyOptions? options = null)
        : this(Validated(options), listenOn, boundSocket: null)
    {
    }

    /// <summary>
    /// Serves on a socket the caller has bound, for instance inside another network namespace; it
    /// starts listening here unless it already does. The proxy owns the socket from now on.
    /// </summary>
    public TcpProxy(Socket boundSocket, TcpProxyOptions? options = null)
        : this(Validated(options), listenOn: null, boundSocket)
    {
    }

    private TcpProxy(TcpProxyOptions options, IPEndPoint? listenOn, Socket? boundSocket)
    {
        _options = options;
        _time = options.TimeProvider;
        _policy = IBalancingPolicy.Create(options.Policy);
        _listener = boundSocket is null ? Listen(listenOn!, options.ListenBacklog) : AdoptListener(boundSocket, options.ListenBacklog);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Accepts clients until <paramref name="cancellationToken"/> is cancelled, then closes the listener and
    /// drains or closes the established connections as <see cref="TcpProxyOptions.ShutdownMode"/> says.
    /// Completes normally after a cancellation: stopping is what the token is for.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("RunAsync runs once per proxy.");
        }

        // Both this and DisposeAsync write their flag with a fence before reading the other's, so either
        // DisposeAsync waits for this run or this run sees the proxy disposed.
        if (Volatile.Read(ref _disposed) != 0)
        {
            _runEnded.TrySetResult();
            throw new ObjectDisposedException(nameof(TcpProxy));
        }

        var cancelled = false;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            await AcceptLoopAsync(stop.Token).ConfigureAwait(false);
            cancelled = true;
        }
        finally
        {
            // Closing the listener first refuses new clients while the established ones drain.
            _listener.Dispose();
            var drain = cancelled && _options.ShutdownMode == ShutdownMode.Drain;
            await StopConnectionsAsync(drain, _abort.Token).ConfigureAwait(false);
            _runEnded.TrySetResult();
        }
    }

    /// <summary>Stops accepting, closes every connection at once and waits for <see cref="RunAsync"/> to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _started) != 0)
        {
            await _runEnded.Task.ConfigureAwait(false);
        }

        _listener.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                // The client gave up while it waited in the backlog.
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of descriptors or memory: give closing connections a moment instead of spinning.
                await Task.Delay(s_acceptRetryDelay, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            Admit(client);
        }
    }

    private void Admit(Socket client)
    {
        Interlocked.Increment(ref _accepted);
        if (Interlocked.Increment(ref _active) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _active);
            Interlocked.Increment(ref _rejected);
            client.Dispose();
            return;
        }

        _ = ServeAsync(client, _abort.Token);
    }

    private void EndConnection()
    {
        // Pairs with the Interlocked.Exchange in StopConnectionsAsync: both sides fence, so one of them sees the other.
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _stopping) != 0)
        {
            _drained.TrySetResult();
        }
    }

    private async Task StopConnectionsAsync(bool drain, CancellationToken closeNow)
    {
        Interlocked.Exchange(ref _stopping, 1);
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        if (drain)
        {
            try
            {
                await _drained.Task.WaitAsync(_options.DrainTimeout, _time, closeNow).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // Grace is over, or DisposeAsync wants everything closed now.
            }
        }

        await _abort.CancelAsync().ConfigureAwait(false);
        await _drained.Task.ConfigureAwait(false);
    }

    private static TcpProxyOptions Validated(TcpProxyOptions? options)
    {
        options ??= new TcpProxyOptions();
        options.Validate();
        return options;
    }

    private static Socket Listen(IPEndPoint endPoint, int backlog)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket AdoptListener(Socket socket, int backlog)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.SocketType != SocketType.Stream || socket.LocalEndPoint is not IPEndPoint)
        {
            throw new ArgumentException("The socket must be a bound TCP socket.", nameof(socket));
        }

        if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is 0)
        {
            socket.Listen(backlog);
        }

        return socket;
    }
}
