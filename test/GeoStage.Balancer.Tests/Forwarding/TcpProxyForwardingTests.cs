using System.Net.Sockets;
using System.Security.Cryptography;
using GeoStage.Balancer.Forwarding;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Forwarding;

public sealed class TcpProxyForwardingTests
{
    private const int LargeTransfer = 64 * 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_ClientHalfCloses_BackendReadsToEndAndWholeReplyArrives(bool splice)
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        var request = RandomBytes(300_000, seed: 1);
        var reply = RandomBytes(1_000_000, seed: 2);
        await using var backend = TestBackend.Scripted(async (socket, ct) =>
        {
            var received = await TestClient.ReadToEndAsync(socket, ct);
            await socket.SendAsync(SHA256.HashData(received), SocketFlags.None, ct);
            await socket.SendAsync(reply, SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Splice = splice }, backend);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);
        await client.SendAsync(request, SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        var answer = await TestClient.ReadToEndAsync(client, timeout.Token);

        Assert.Equal([.. SHA256.HashData(request), .. reply], answer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_BackendHalfClosesFirst_ClientCanStillSend(bool splice)
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        var greeting = RandomBytes(100_000, seed: 3);
        var upload = RandomBytes(500_000, seed: 4);
        var uploaded = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestBackend.Scripted(async (socket, ct) =>
        {
            try
            {
                await socket.SendAsync(greeting, SocketFlags.None, ct);
                socket.Shutdown(SocketShutdown.Send);
                uploaded.TrySetResult(await TestClient.ReadToEndAsync(socket, ct));
            }
            catch (Exception e)
            {
                uploaded.TrySetException(e);
                throw;
            }
        });
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Splice = splice }, backend);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);
        var received = await TestClient.ReadToEndAsync(client, timeout.Token);
        await client.SendAsync(upload, SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(greeting, received);
        Assert.Equal(upload, await uploaded.Task.WaitAsync(timeout.Token));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_64MiBEachWayAtOnce_ArrivesIntactAndSplicedOnlyWhenOn(bool splice)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var atBackend = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sentByBackend = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestBackend.Scripted(async (socket, ct) =>
        {
            try
            {
                var sending = SendStreamAsync(socket, seed: 6, ct);
                atBackend.TrySetResult(await HashToEndAsync(socket, ct));
                sentByBackend.TrySetResult(await sending);
            }
            catch (Exception e)
            {
                atBackend.TrySetException(e);
                sentByBackend.TrySetException(e);
                throw;
            }
        });
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Splice = splice }, backend);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);
        var sending = SendStreamAsync(client, seed: 5, timeout.Token);
        var atClient = await HashToEndAsync(client, timeout.Token);
        var sentByClient = await sending;
        await proxy.WaitUntilIdleAsync();

        Assert.Equal(sentByClient, await atBackend.Task.WaitAsync(timeout.Token));
        Assert.Equal(await sentByBackend.Task.WaitAsync(timeout.Token), atClient);
        var stats = proxy.StatsOf(backend);
        Assert.Equal(LargeTransfer, stats.BytesToBackend);
        Assert.Equal(LargeTransfer, stats.BytesFromBackend);

        // Loopback fills the 64 KiB buffer at once, so most of a bulk transfer moves by splice when it is on.
        var spliced = proxy.Proxy.SnapshotTotals().Spliced;
        if (splice)
        {
            Assert.InRange(spliced, LargeTransfer, 2L * LargeTransfer);
        }
        else
        {
            Assert.Equal(0, spliced);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_ClientStopsReading_BackendIsHeldBackThenEverythingArrives(bool splice)
    {
        const long Stream = 256L * 1024 * 1024;
        const long HeldBack = 64L * 1024 * 1024;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        long sentByBackend = 0;
        var backendHash = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestBackend.Scripted(async (socket, ct) =>
        {
            try
            {
                var random = new Random(7);
                var chunk = new byte[256 * 1024];
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (long sent = 0; sent < Stream; sent += chunk.Length)
                {
                    random.NextBytes(chunk);
                    hash.AppendData(chunk);
                    await socket.SendAsync(chunk, SocketFlags.None, ct);
                    Interlocked.Add(ref sentByBackend, chunk.Length);
                }

                socket.Shutdown(SocketShutdown.Send);
                backendHash.TrySetResult(hash.GetHashAndReset());
            }
            catch (Exception e)
            {
                backendHash.TrySetException(e);
                throw;
            }
        });
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Splice = splice }, backend);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);

        // The client reads nothing: once the socket buffers on the way are full the backend must stall.
        await Wait.UntilStableAsync(() => Interlocked.Read(ref sentByBackend), TimeSpan.FromMilliseconds(500), ProxyHarness.Timeout, "the backend to stall");
        Assert.InRange(Interlocked.Read(ref sentByBackend), 1, HeldBack);

        var atClient = await HashToEndAsync(client, timeout.Token);
        Assert.Equal(await backendHash.Task.WaitAsync(timeout.Token), atClient);
    }

    [Fact]
    public async Task RunAsync_BackendResets_ClientIsClosed()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var backend = TestBackend.Scripted(async (socket, ct) =>
        {
            await TestClient.ReceiveExactlyAsync(socket, new byte[1], ct);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, backend);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);
        await client.SendAsync(new byte[] { 42 }, SocketFlags.None, timeout.Token);

        Assert.True(await TestClient.IsClosedByPeerAsync(client, timeout.Token));
        await proxy.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task RunAsync_IdleTimeout_ClosesOnlyAfterSilenceOnBothSides()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        var time = new ManualTimeProvider();
        var idle = TimeSpan.FromSeconds(10);
        await using var backend = TestBackend.Echo(1);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { IdleTimeout = idle, TimeProvider = time }, backend);

        var (client, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (client)
        {
            // Traffic every 6 s keeps it open well past the 10 s timeout.
            for (var i = 0; i < 3; i++)
            {
                time.Advance(TimeSpan.FromSeconds(6));
                await TestClient.EchoAsync(client, 100, timeout.Token);
            }

            Assert.Equal(1, proxy.Proxy.SnapshotTotals().Active);
            time.Advance(idle);

            Assert.True(await TestClient.IsClosedByPeerAsync(client, timeout.Token));
            await Wait.UntilAsync(() => backend.Open == 0, ProxyHarness.Timeout, "the backend side to be closed too");
            await proxy.WaitUntilIdleAsync();
        }
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends <see cref="LargeTransfer"/> pseudo-random bytes and half-closes; returns their SHA-256.</summary>
    private static async Task<byte[]> SendStreamAsync(Socket socket, int seed, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var random = new Random(seed);
        var chunk = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var sent = 0; sent < LargeTransfer; sent += chunk.Length)
        {
            random.NextBytes(chunk);
            hash.AppendData(chunk);
            await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
        return hash.GetHashAndReset();
    }

    private static async Task<byte[]> HashToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return hash.GetHashAndReset();
    }
}
