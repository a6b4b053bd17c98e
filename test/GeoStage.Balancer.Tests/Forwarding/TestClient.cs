using System.Net;
using System.Net.Sockets;

namespace GeoStage.Balancer.Tests.Forwarding;

/// <summary>Client-side steps the tests share: connect (optionally from a given loopback address), greet, echo, read to the end.</summary>
internal static class TestClient
{
    public static async Task<Socket> ConnectAsync(IPEndPoint server, IPAddress? from, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (from is not null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }

            await socket.ConnectAsync(server, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects through the proxy to an echo backend and returns the socket and that backend's id.</summary>
    public static async Task<(Socket Socket, byte BackendId)> ConnectEchoAsync(IPEndPoint proxy, CancellationToken cancellationToken, IPAddress? from = null)
    {
        var socket = await ConnectAsync(proxy, from, cancellationToken);
        try
        {
            var id = new byte[1];
            await ReceiveExactlyAsync(socket, id, cancellationToken);
            return (socket, id[0]);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="length"/> bytes and checks that the same bytes come back.</summary>
    public static async Task EchoAsync(Socket socket, int length, CancellationToken cancellationToken)
    {
        var sent = new byte[length];
        new Random(length).NextBytes(sent);
        await socket.SendAsync(sent, SocketFlags.None, cancellationToken);
        var received = new byte[length];
        await ReceiveExactlyAsync(socket, received, cancellationToken);
        if (!sent.AsSpan().SequenceEqual(received))
        {
            throw new InvalidDataException("the echo differs from what was sent");
        }
    }

    public static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"the connection ended {buffer.Length} bytes short");
            }

            buffer = buffer[read..];
        }
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>True once the peer has closed: an end of stream or a reset, with no data first.</summary>
    public static async Task<bool> IsClosedByPeerAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
