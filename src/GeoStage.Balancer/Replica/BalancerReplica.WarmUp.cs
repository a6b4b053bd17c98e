using System.Diagnostics;
using System.Globalization;
using GeoStage.Balancer.Forwarding;
using GeoStage.Core.Model;

namespace GeoStage.Balancer.Replica;

public sealed partial class BalancerReplica
{
    /// <summary>A warm-up that takes longer than this is cut short: standing for election matters more.</summary>
    private static readonly TimeSpan s_warmUpLimit = TimeSpan.FromSeconds(3);

    /// <summary>What the warm-up did, step by step ("VIP tools 14 ms", "proxy failed: …"); empty until it ran.</summary>
    internal IReadOnlyList<string> WarmedUp { get; private set; } = [];

    /// <summary>
    /// Runs the takeover's code once, harmlessly, before this replica first stands for election: a replica
    /// that never led pays the first use of everything on its first takeover (code compiled on first call,
    /// the first `ip` and `arping` processes, JSON contracts of the backend read, the proxy's accept, connect
    /// and splice), and that takeover is the failover users meet. Nothing here touches the VIP or the lease;
    /// a step that fails is logged and skipped, since the takeover itself still works without it.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(s_warmUpLimit);
        List<string> steps = [];
        await StepAsync(steps, "VIP tools", () => _vip.WarmUpAsync(limit.Token), cancellationToken).ConfigureAwait(false);
        await StepAsync(steps, "backends", () => Task.WhenAll(_model.Listeners.Select(l => ReadBackendsAsync(l, limit.Token))), cancellationToken).ConfigureAwait(false);
        await StepAsync(steps, "proxy", () => TcpProxyWarmUp.RoundTripAsync(ProxyOptions(), limit.Token), cancellationToken).ConfigureAwait(false);
        WarmedUp = steps;
        Log.WarmedUp(_logger, _model.Name, _node, clock.Elapsed.TotalMilliseconds, string.Join(", ", steps));
    }

    private static async Task StepAsync(List<string> steps, string name, Func<Task> step, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await step().ConfigureAwait(false);
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {clock.Elapsed.TotalMilliseconds:0} ms"));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a head start is lost: the takeover runs the same code for real, and reports its own errors.
            steps.Add($"{name} failed: {e.Message}");
        }
    }

    private TcpProxyOptions ProxyOptions() => new()
    {
        Policy = _model.Policy switch
        {
            BalancePolicy.LeastConnections => BalancingPolicy.LeastConnections,
            BalancePolicy.SourceHash => BalancingPolicy.SourceIpHash,
            _ => BalancingPolicy.RoundRobin,
        },
        ConnectTimeout = _model.ConnectTimeout,
        IdleTimeout = _model.IdleTimeout,
        MaxConnections = _model.MaxConnections,
        MaxConnectionsPerBackend = _model.MaxPerBackend,
        ShutdownMode = ShutdownMode.Close,
    };
}
