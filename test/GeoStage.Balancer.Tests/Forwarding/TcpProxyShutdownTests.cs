using System.Net;
using System.Net.Sockets;
using GeoStage.Balancer.Forwarding;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Balancer.Tests.Forwarding;

public sealed class TcpProxyShutdownTests
{
    [Fact]
    public async Task RunAsync_CancelledWithDrain_RefusesNewClientsAndEndsWhenLastConnectionDoes()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var backend = TestBackend.Echo(1);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { ShutdownMode = ShutdownMode.Drain, DrainTimeout = TimeSpan.FromMinutes(5) }, backend);
        var (client, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (client)
        {
            await proxy.StopAsync();

            await Wait.UntilAsync(() => !Accepts(proxy), ProxyHarness.Timeout, "the listener to close");
            await TestClient.EchoAsync(client, 10_000, timeout.Token);
            Assert.False(proxy.Run.IsCompleted);
        }

        await proxy.Run.WaitAsync(timeout.Token);
        Assert.Equal(0, proxy.Proxy.SnapshotTotals().Active);
    }

    [Fact]
    public async Task RunAsync_CancelledWithDrainPastItsTimeout_ClosesTheRest()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        var time = new ManualTimeProvider();
        var options = ProxyHarness.Defaults with { ShutdownMode = ShutdownMode.Drain, DrainTimeout = TimeSpan.FromMinutes(1), TimeProvider = time };
        await using var backend = TestBackend.Echo(1);
        await using var proxy = ProxyHarness.Start(options, backend);
        var (client, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (client)
        {
            await proxy.StopAsync();
            await TestClient.EchoAsync(client, 100, timeout.Token);

            // The drain's timer may not exist yet when time first moves; moving it until the run ends covers that.
            await Wait.UntilAsync(() => AdvanceThenCheck(time, proxy.Run), ProxyHarness.Timeout, "the drain to time out");

            Assert.True(await TestClient.IsClosedByPeerAsync(client, timeout.Token));
        }
    }

    [Fact]
    public async Task RunAsync_CancelledWithClose_ClosesEstablishedConnections()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var backend = TestBackend.Echo(1);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { ShutdownMode = ShutdownMode.Close }, backend);
        var (client, _) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (client)
        {
            await proxy.StopAsync();
            await proxy.Run.WaitAsync(timeout.Token);

            Assert.True(await TestClient.IsClosedByPeerAsync(client, timeout.Token));
            await Wait.UntilAsync(() => backend.Open == 0, ProxyHarness.Timeout, "the backend side to be closed");
        }
    }

    [Fact]
    public async Task RunAsync_BoundSocketHandedIn_ServesOnIt()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var backend = TestBackend.Echo(1);
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var proxy = new TcpProxy(bound, ProxyHarness.Defaults);
        proxy.UpdateBackends([backend.Endpoint]);
        using var stop = new CancellationTokenSource();
        var run = proxy.RunAsync(stop.Token);
        try
        {
            var (client, id) = await TestClient.ConnectEchoAsync(proxy.LocalEndPoint, timeout.Token);
            using (client)
            {
                await TestClient.EchoAsync(client, 1000, timeout.Token);

                Assert.Equal(1, id);
                Assert.Equal(bound.LocalEndPoint, proxy.LocalEndPoint);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(ProxyHarness.Timeout);
        }

        Assert.Throws<ObjectDisposedException>(() => bound.Listen());
    }

    private static bool Accepts(ProxyHarness proxy)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(proxy.EndPoint);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
        {
            return false;
        }
    }

    private static bool AdvanceThenCheck(ManualTimeProvider time, Task run)
    {
        time.Advance(TimeSpan.FromMinutes(1));
        return run.IsCompleted;
    }
}
