using System.Net;
using GeoStage.Balancer.Forwarding;
using Xunit;

namespace GeoStage.Balancer.Tests.Forwarding;

public sealed class TcpProxyBalancingTests
{
    [Fact]
    public async Task RunAsync_RoundRobinThirtyConnections_TenPerBackend()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var c = TestBackend.Echo(3);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, a, b, c);

        var served = new Dictionary<byte, int>();
        for (var i = 0; i < 30; i++)
        {
            var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
            using (socket)
            {
                served[id] = served.GetValueOrDefault(id) + 1;
            }
        }

        Assert.Equal(new Dictionary<byte, int> { [1] = 10, [2] = 10, [3] = 10 }, served);
        Assert.Equal([10, 10, 10], new[] { a.Accepted, b.Accepted, c.Accepted });
    }

    [Fact]
    public async Task RunAsync_LeastConnectionsAfterOneBackendEmpties_SendsNewClientsThere()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Policy = BalancingPolicy.LeastConnections }, a, b);
        var open = new List<(System.Net.Sockets.Socket Socket, byte BackendId)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                open.Add(await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token));
            }

            Assert.Equal(2, open.Count(c => c.BackendId == 1));
            foreach (var onA in open.Where(c => c.BackendId == 1).ToList())
            {
                onA.Socket.Dispose();
                open.Remove(onA);
            }

            await GeoStage.Testing.Wait.UntilAsync(() => proxy.StatsOf(a).ActiveConnections == 0, ProxyHarness.Timeout, "backend 1 to have no connections");
            for (var i = 0; i < 2; i++)
            {
                open.Add(await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token));
            }

            Assert.Equal([1, 1], open.Skip(2).Select(c => c.BackendId));
        }
        finally
        {
            open.ForEach(c => c.Socket.Dispose());
        }
    }

    [Fact]
    public async Task RunAsync_SourceIpHash_EachClientAddressKeepsOneBackend()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var c = TestBackend.Echo(3);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults with { Policy = BalancingPolicy.SourceIpHash }, a, b, c);

        var backendOf = new Dictionary<IPAddress, HashSet<byte>>();
        for (var host = 1; host <= 12; host++)
        {
            var client = IPAddress.Parse($"127.0.0.{host}");
            backendOf[client] = [];
            for (var i = 0; i < 4; i++)
            {
                var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token, client);
                socket.Dispose();
                backendOf[client].Add(id);
            }
        }

        Assert.All(backendOf, pair => Assert.Single(pair.Value));
        Assert.True(backendOf.Values.Select(ids => ids.Single()).Distinct().Count() > 1, "twelve client addresses all hashed to one backend");
    }

    [Fact]
    public async Task SetHealth_BackendDownThenUp_LeavesAndRejoinsRotation()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, a, b);

        Assert.True(proxy.Proxy.SetHealth(a.Endpoint, healthy: false));
        var whileDown = await ServeManyAsync(proxy, 6, timeout.Token);
        Assert.True(proxy.Proxy.SetHealth(a.Endpoint, healthy: true));
        var afterUp = await ServeManyAsync(proxy, 6, timeout.Token);

        Assert.All(whileDown, id => Assert.Equal(2, id));
        Assert.Equal(3, afterUp.Count(id => id == 1));
        Assert.False(proxy.Proxy.SetHealth(new BackendEndpoint(new IPEndPoint(IPAddress.Loopback, 1)), healthy: false));
    }

    [Fact]
    public async Task UpdateBackends_BackendRemoved_EstablishedConnectionKeepsWorkingAndNewOnesAvoidIt()
    {
        using var timeout = new CancellationTokenSource(ProxyHarness.Timeout);
        await using var a = TestBackend.Echo(1);
        await using var b = TestBackend.Echo(2);
        await using var proxy = ProxyHarness.Start(ProxyHarness.Defaults, a, b);

        var (established, removedId) = await TestClient.ConnectEchoAsync(proxy.EndPoint, timeout.Token);
        using (established)
        {
            var (removed, kept) = removedId == 1 ? (a, b) : (b, a);
            proxy.Proxy.UpdateBackends([kept.Endpoint]);
            var served = await ServeManyAsync(proxy, 4, timeout.Token);

            await TestClient.EchoAsync(established, 10_000, timeout.Token);
            Assert.DoesNotContain(removedId, served);
            Assert.Equal(1, removed.Accepted);
            Assert.Equal(1, removed.Open);
            Assert.Equal([kept.Endpoint], proxy.Proxy.Snapshot().Select(s => s.Endpoint));
        }
    }

    [Fact]
    public async Task UpdateBackends_SameEndpointTwice_Throws()
    {
        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = new BackendEndpoint(new IPEndPoint(IPAddress.Loopback, 9));

        Assert.Throws<ArgumentException>(() => proxy.UpdateBackends([endpoint, new BackendEndpoint(new IPEndPoint(IPAddress.Loopback, 9))]));
    }

    /// <summary>Opens, greets and closes <paramref name="count"/> connections one after another; returns the backend ids.</summary>
    private static async Task<List<byte>> ServeManyAsync(ProxyHarness proxy, int count, CancellationToken cancellationToken)
    {
        var ids = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            var (socket, id) = await TestClient.ConnectEchoAsync(proxy.EndPoint, cancellationToken);
            socket.Dispose();
            ids.Add(id);
        }

        return ids;
    }
}
