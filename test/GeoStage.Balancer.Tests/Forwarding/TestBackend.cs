using System.Net;
using System.Net.Sockets;
using GeoStage.Balancer.Forwarding;

namespace GeoStage.Balancer.Tests.Forwarding;

/// <summary>
/// A loopback TCP server that runs a handler per connection and counts connections. A handler's
/// socket errors are the proxy closing it and are ignored; any other failure surfaces from DisposeAsync.
/// Concurrency: accept loop and handlers on the thread pool; counters with Interlocked, handlers under a lock.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _handlers = [];
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _open;

    private TestBackend(Func<Socket, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Endpoint = new BackendEndpoint((IPEndPoint)_listener.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    public BackendEndpoint Endpoint { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public int Open => Volatile.Read(ref _open);

    /// <summary>Sends <paramref name="id"/> as its first byte, then echoes until the client half-closes, and half-closes back.</summary>
    public static TestBackend Echo(byte id) => new((socket, ct) => EchoAsync(socket, id, ct));

    public static TestBackend Scripted(Func<Socket, CancellationToken, Task> handler) => new(handler);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop.WaitAsync(s_stopTimeout);
        Task[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }

        try
        {
            await Task.WhenAll(handlers).WaitAsync(s_stopTimeout);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private static async Task EchoAsync(Socket socket, byte id, CancellationToken cancellationToken)
    {
        await socket.SendAsync(new[] { id }, SocketFlags.None, cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_handlers)
            {
                _handlers.Add(HandleAsync(socket, cancellationToken));
            }
        }
    }

    private async Task HandleAsync(Socket socket, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        try
        {
            await Task.Yield();
            await _handler(socket, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The proxy closed the connection (idle, reset, shutdown): part of what the tests provoke.
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }
}
