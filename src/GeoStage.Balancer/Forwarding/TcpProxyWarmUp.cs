using System.Net;
using System.Net.Sockets;

namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// One small exchange through a throwaway <see cref="TcpProxy"/> on loopback, to a backend socket of its
/// own: accept, backend choice and connect, both copying directions, half-close and close run once, so
/// that a replica's first client after a takeover (a small request, like the probes and health checks
/// that notice a failover) does not wait for that code to compile. Bulk splice is left cold: no failover waits on it.
/// </summary>
public static class TcpProxyWarmUp
{
    private static readonly byte[] s_request = "warm-up"u8.ToArray();

    /// <summary>Returns once a request went through to the backend and its answer came back; touches nothing outside loopback.</summary>
    public static async Task RoundTripAsync(TcpProxyOptions options, CancellationToken cancellationToken)
    {
        using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        backend.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        backend.Listen(1);
        var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, 0), options with { ShutdownMode = ShutdownMode.Close });
        await using (proxy.ConfigureAwait(false))
        {
            proxy.UpdateBackends([new BackendEndpoint((IPEndPoint)backend.LocalEndPoint!)]);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = proxy.RunAsync(stop.Token);
            try
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(proxy.LocalEndPoint, cancellationToken).ConfigureAwait(false);
                await client.SendAsync(s_request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                using var server = await backend.AcceptAsync(cancellationToken).ConfigureAwait(false);
                var buffer = new byte[s_request.Length];
                await ReceiveAllAsync(server, buffer, cancellationToken).ConfigureAwait(false);
                await server.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                server.Shutdown(SocketShutdown.Send);
                await ReceiveAllAsync(client, buffer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await running.ConfigureAwait(false);
            }
        }
    }

    private static async Task ReceiveAllAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (var total = 0; total < buffer.Length;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"the warm-up connection closed after {total} of {buffer.Length} bytes");
            }

            total += read;
        }
    }
}
