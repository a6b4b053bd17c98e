using System.Net;
using System.Net.Sockets;
using GeoStage.Balancer.Forwarding;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Forwarding;

public sealed class TcpProxyLimitsTests
{
    [Fact]
    public async Task RunAsync_MaxConnectionsReached_ExcessClientClosedAndCounted()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var backend = TestBackend.Echo(1);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { MaxConnections = 2 }, backend);

        var (first, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (first)
        {
            var (second, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            using (second)
            {
                using var excess = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);

                Assert.True(await TestClient.IsClosedByPeerAsync(excess, timeout.Token));
                Assert.Equal(new ProxyStats(Accepted: 3, Rejected: 1, Unserved: 0, Active: 2, Spliced: 0), proxy.Proxy.SnapshotTotals());
                Assert.Equal(2, backend.Accepted);
            }

            await Wait.UntilAsync(() => proxy.Proxy.SnapshotTotals().Active == 1, ProxyHarness.Timeout, "the second connection to end");
            var (third, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            using (third)
            {
                await TestClient.EchoAsync(third, 1000, timeout.Token);
            }
        }
    }

    [Fact]
    public async Task RunAsync_BackendAtItsLimit_IsSkipped()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { MaxConnectionsPerBackend = 1 }, a, b);

        var (onA, firstId) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (onA)
        {
            var (onB, secondId) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            onB.Dispose();
            await Wait.UntilAsync(() => proxy.Proxy.SnapshotTotals().Active == 1, ProxyHarness.Timeout, "the second connection to end");

            // Round robin would start this one on the first backend again; that one is full.
            var (next, thirdId) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            next.Dispose();

            Assert.NotEqual(firstId, secondId);
            Assert.Equal(secondId, thirdId);
        }
    }

    [Fact]
    public async Task RunAsync_BackendRefuses_NextBackendServes()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        using var refusing = BoundButNotListening();
        var refused = new BackendEndpoint((IPEndPoint)refusing.LocalEndPoint!);
        await using var live = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, live);
        proxy.Proxy.UpdateBackends([refused, live.Endpoint]);

        for (var i = 0; i < 4; i++)
        {
            var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            socket.Dispose();
            Assert.Equal(2, id);
        }

        var stats = proxy.Proxy.Snapshot().Single(s => s.Endpoint == refused);
        Assert.True(stats.ConnectFailures > 0);
        Assert.Equal(0, stats.TotalConnections);
        Assert.Equal(4, live.Accepted);
    }

    [Fact]
    public async Task RunAsync_BackendNeverAnswers_ConnectTimesOutAndNextBackendServes()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        var fillers = new List<Socket>();
        using var silent = await SilentListenerAsync(fillers, timeout.Token);
        try
        {
            var unanswered = new BackendEndpoint((IPEndPoint)silent.LocalEndPoint!);
            await using var live = TestBackend.Echo(2);
            await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { ConnectTimeout = TimeSpan.FromMilliseconds(300) }, live);
            proxy.Proxy.UpdateBackends([unanswered, live.Endpoint]);

            for (var i = 0; i < 2; i++)
            {
                var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
                socket.Dispose();
                Assert.Equal(2, id);
            }

            Assert.Equal(1, proxy.Proxy.Snapshot().Single(s => s.Endpoint == unanswered).ConnectFailures);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task RunAsync_EveryBackendRefuses_ClientClosedAndCountedUnserved()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        using var refusing = BoundButNotListening();
        var refused = new BackendEndpoint((IPEndPoint)refusing.LocalEndPoint!);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults);
        proxy.Proxy.UpdateBackends([refused]);

        using var client = await TestClient.ConnectAsync(proxy.EndPoint, from: null, timeout.Token);

        Assert.True(await TestClient.IsClosedByPeerAsync(client, timeout.Token));
        await proxy.WaitUntilIdleAsync();
        Assert.Equal(new ProxyStats(Accepted: 1, Rejected: 0, Unserved: 1, Active: 0, Spliced: 0), proxy.Proxy.SnapshotTotals());
        Assert.Equal(1, proxy.Proxy.Snapshot().Single().ConnectFailures);
    }

    [Fact]
    public async Task Snapshot_AfterTraffic_CountsConnectionsAndBytesPerBackend()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, a, b);

        var served = new List<byte>();
        for (var i = 0; i < 3; i++)
        {
            var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            using (socket)
            {
                await TestClient.EchoAsync(socket, 1000, timeout.Token);
                served.Add(id);
            }
        }

        await proxy.WaitUntilIdleAsync();
        foreach (var (backend, id) in new[] { (a, (byte)1), (b, (byte)2) })
        {
            var connections = served.Count(s => s == id);
            var expected = new BackendStats(backend.Endpoint, Healthy: true, ActiveConnections: 0, TotalConnections: connections,
                BytesToBackend: 1000 * connections, BytesFromBackend: 1001 * connections, ConnectFailures: 0);
            Assert.Equal(expected, proxy.StatsOf(backend));
        }

        Assert.Equal(new ProxyStats(Accepted: 3, Rejected: 0, Unserved: 0, Active: 0, Spliced: 0), proxy.Proxy.SnapshotTotals());
        Assert.Equal(new byte[] { 1, 2 }, served.Distinct().Order());
    }

    /// <summary>
    /// A listener that never accepts and whose accept queue is full, so that Linux drops new SYNs and a
    /// connect hangs until it times out. Fills the queue until a filler's own connect hangs, which proves it.
    /// </summary>
    private static async Task<Socket> SilentListenerAsync(List<Socket> fillers, CancellationToken cancellationToken)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(listener.LocalEndPoint!, attempt.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return listener;
            }
        }

        listener.Dispose();
        throw new InvalidOperationException("eight connections to a listener with backlog 0 were all answered; this kernel does not drop SYNs on a full accept queue");
    }

    /// <summary>A port that is taken, so nobody else can listen on it, and refuses connections.</summary>
    private static Socket BoundButNotListening()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
