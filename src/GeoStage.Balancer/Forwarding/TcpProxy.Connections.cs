using System.Net;
using System.Net.Sockets;

namespace GeoStage.Balancer.Forwarding;

public sealed partial class TcpProxy
{
    /// <summary>Serves one admitted client to its end; never throws, as nobody awaits it.</summary>
    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            client.NoDelay = true;
            var upstream = await ConnectAsync((client.RemoteEndPoint as IPEndPoint)?.Address, cancellationToken).ConfigureAwait(false);
            if (upstream is not { } connected)
            {
                Interlocked.Increment(ref _unserved);
                return;
            }

            try
            {
                await Forwarder.RunAsync(client, connected.Socket, connected.Backend, _counters, _options, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                connected.Socket.Dispose();
                connected.Backend.Release();
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left before a backend answered, or the proxy is closing: only the cleanup is left.
        }
        finally
        {
            client.Dispose();
            EndConnection();
        }
    }

    /// <summary>Tries the healthy backends in policy order, each once; null when none could be connected.</summary>
    private async Task<Upstream?> ConnectAsync(IPAddress? client, CancellationToken cancellationToken)
    {
        var candidates = HealthyBackends();
        if (candidates.Length == 0)
        {
            return null;
        }

        _policy.Order(candidates, client);
        foreach (var backend in candidates)
        {
            if (!backend.TryReserve(_options.MaxConnectionsPerBackend))
            {
                continue;
            }

            var socket = new Socket(backend.Endpoint.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.NoDelay = true;
                using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
                await socket.ConnectAsync(backend.Endpoint.EndPoint, linked.Token).ConfigureAwait(false);
                backend.CountConnected();
                return new Upstream(backend, socket);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Refused, unreachable or too slow: the next backend in order gets the client.
                socket.Dispose();
                backend.Release();
                backend.CountConnectFailure();
            }
            catch
            {
                socket.Dispose();
                backend.Release();
                throw;
            }
        }

        return null;
    }

    private readonly record struct Upstream(BackendState Backend, Socket Socket);
}
