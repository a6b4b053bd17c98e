using System.Net;
using GeoStage.Balancer.Forwarding;

namespace GeoStage.Balancer.Tests.Forwarding;

/// <summary>A running <see cref="TcpProxy"/> on an ephemeral loopback port, stopped and disposed by DisposeAsync.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();

    private ProxyHarness(TcpProxyOptions options, IReadOnlyList<BackendEndpoint> backends)
    {
        Proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, 0), options);
        Proxy.UpdateBackends(backends);
        Run = Proxy.RunAsync(_stop.Token);
    }

    /// <summary>What the tests use unless they say otherwise: nothing times out or drains on its own.</summary>
    public static TcpProxyOptions Defaults { get; } = new()
    {
        IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        ShutdownMode = ShutdownMode.Close,
    };

    public TcpProxy Proxy { get; }

    public Task Run { get; }

    public IPEndPoint EndPoint => Proxy.LocalEndPoint;

    public static ProxyHarness Start(TcpProxyOptions options, params TestBackend[] backends) =>
        new(options, [.. backends.Select(b => b.Endpoint)]);

    /// <summary>Cancels <see cref="TcpProxy.RunAsync"/>, as a host would on shutdown.</summary>
    public Task StopAsync() => _stop.CancelAsync();

    public Task WaitUntilIdleAsync() =>
        GeoStage.Testing.Wait.UntilAsync(() => Proxy.SnapshotTotals().Active == 0, Timeout, "no open connections through the proxy");

    public BackendStats StatsOf(TestBackend backend) => Proxy.Snapshot().Single(s => s.Endpoint == backend.Endpoint);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stop.CancelAsync();
            await Run.WaitAsync(Timeout);
        }
        finally
        {
            await Proxy.DisposeAsync();
            _stop.Dispose();
        }
    }
}
