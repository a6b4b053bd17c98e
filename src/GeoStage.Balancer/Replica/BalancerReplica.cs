using System.Diagnostics;
using System.Net;
using GeoStage.Balancer.Election;
using GeoStage.Balancer.Forwarding;
using GeoStage.Core.Model;
using Microsoft.Extensions.Logging;

namespace GeoStage.Balancer.Replica;

/// <summary>
/// One replica of a balancer. It stands for election only while its data path works; as leader it takes
/// the VIP, then listens on it with one proxy per listener, refreshing backends from the control plane;
/// it steps down when its lease may be lost or its data path fails, and then closes its listeners and
/// drops the VIP *before* giving the lease back, so two holders never overlap.
/// Concurrency: <see cref="RunAsync"/> is called once; <see cref="Report"/> from any thread.
/// </summary>
public sealed partial class BalancerReplica
{
    private readonly BalancerModel _model;
    private readonly string _node;
    private readonly LeaderElector _elector;
    private readonly IVipHolder _vip;
    private readonly IBackendSource _backends;
    private readonly IDataPath _dataPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile ReplicaReport _report;
    private IReadOnlyList<TcpProxy> _proxies = [];

    public BalancerReplica(BalancerModel model, string node, ILeaseClient leases, IVipHolder vip, IBackendSource backends, IDataPath dataPath, TimeProvider time, ILogger logger)
    {
        _model = model;
        _node = node;
        _elector = new LeaderElector(leases, LeaseName(model.Name), node, model.LeaseTtl, time);
        _vip = vip;
        _backends = backends;
        _dataPath = dataPath;
        _time = time;
        _logger = logger;
        _report = new ReplicaReport(model.Name, node, false, 0, time.GetUtcNow(), null, []);
    }

    /// <summary>The lease's name: no '/', which would travel escaped in a URL path and not come back.</summary>
    public static string LeaseName(string balancer) => $"balancer-{balancer}";

    public ReplicaReport Report() => _report with { Backends = [.. _proxies.SelectMany(p => p.Snapshot()).Select(BackendReport.Of)] };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await WarmUpAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await _dataPath.WorksAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(_elector.RetryInterval, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var leadership = await _elector.WaitForLeadershipAsync(cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await using (leadership.ConfigureAwait(false))
            {
                using var serving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leadership.Token);
                string? why = null;
                try
                {
                    why = await LeadAsync(leadership.Term, clock, serving).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    // Could not take the VIP safely (e.g. the fence was refused): give this term up and stand again.
                    why = $"could not take the VIP: {e.Message}";
                    Log.CouldNotLead(_logger, _model.Name, leadership.Term, e.Message);
                }
                finally
                {
                    // Listeners closed and VIP dropped before the lease goes back (on leaving this block).
                    why ??= cancellationToken.IsCancellationRequested ? "its replica was stopping"
                        : leadership.Token.IsCancellationRequested ? "it could not renew its lease in time"
                        : "it stopped leading";
                    await StepDownAsync(leadership.Term, why).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Leads until <paramref name="serving"/> ends; returns why it stepped down when it decided so itself.</summary>
    private async Task<string?> LeadAsync(long term, Stopwatch clock, CancellationTokenSource serving)
    {
        string? why = null;
        var options = ProxyOptions();
        // The backends are read while the VIP is being taken (the daemon fences the others first): both
        // must be done before the listeners open on the VIP, and neither needs the other.
        Task<IReadOnlyList<IPEndPoint>?>[] reads = [.. _model.Listeners.Select(l => ReadBackendsAsync(l, serving.Token))];
        var backendsRead = Task.WhenAll(reads).ContinueWith(_ => clock.Elapsed.TotalMilliseconds, TaskScheduler.Default);
        double vipTaken;
        try
        {
            await _vip.TakeAsync(term, serving.Token).ConfigureAwait(false);
            vipTaken = clock.Elapsed.TotalMilliseconds;
        }
        catch
        {
            await Task.WhenAll(reads).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        var proxies = _model.Listeners.Select(l => (Listener: l, Proxy: new TcpProxy(new IPEndPoint(_model.Vip, l.Port), options))).ToList();
        _proxies = [.. proxies.Select(p => p.Proxy)];
        for (var i = 0; i < proxies.Count; i++)
        {
            if (await reads[i].ConfigureAwait(false) is { } endpoints)
            {
                proxies[i].Proxy.UpdateBackends([.. endpoints.Select(e => new BackendEndpoint(e))]);
            }
        }

        // Done already (awaited above); awaited here, before leading is reported, so nothing yields between
        // that report and the loop's first wait.
        var readAt = await backendsRead.ConfigureAwait(false);
        _report = _report with { Leader = true, Term = term, Since = _time.GetUtcNow(), LastTakeoverMs = clock.Elapsed.TotalMilliseconds };
        Log.Leading(_logger, _model.Name, term, _node, _model.Vip, clock.Elapsed.TotalMilliseconds, vipTaken, readAt);
        var running = proxies.Select(p => p.Proxy.RunAsync(serving.Token)).ToList();
        try
        {
            while (!serving.IsCancellationRequested)
            {
                await Task.Delay(_model.HealthInterval, _time, serving.Token).ConfigureAwait(false);
                if (!await _dataPath.WorksAsync(serving.Token).ConfigureAwait(false))
                {
                    Log.DataPathFailed(_logger, _node, _model.Name, term);
                    why = "its data path failed (the site's gateway stopped answering)";
                    await serving.CancelAsync().ConfigureAwait(false);
                    break;
                }

                await RefreshAsync(proxies, serving.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Leadership lost or the replica stopping.
        }
        finally
        {
            await Task.WhenAll(running.Select(async r =>
            {
                try
                {
                    await r.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Closed on purpose.
                }
            })).ConfigureAwait(false);
            foreach (var (_, proxy) in proxies)
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
            }
        }

        return why;
    }

    private async Task RefreshAsync(List<(ListenerModel Listener, TcpProxy Proxy)> proxies, CancellationToken cancellationToken)
    {
        foreach (var (listener, proxy) in proxies)
        {
            if (await ReadBackendsAsync(listener, cancellationToken).ConfigureAwait(false) is { } endpoints)
            {
                proxy.UpdateBackends([.. endpoints.Select(e => new BackendEndpoint(e))]);
            }
        }
    }

    /// <summary>The listener's backends now; null when they cannot be read (keep serving those known so far: the control plane may be restarting).</summary>
    private async Task<IReadOnlyList<IPEndPoint>?> ReadBackendsAsync(ListenerModel listener, CancellationToken cancellationToken)
    {
        try
        {
            return await _backends.ReadAsync(listener.Backend, listener.BackendPort, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
        {
            return null;
        }
    }

    private async Task StepDownAsync(long term, string why)
    {
        _proxies = [];
        try
        {
            await _vip.ReleaseAsync(term, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _report = _report with { Leader = false, Since = _time.GetUtcNow(), SteppedDown = why };
            Log.SteppedDown(_logger, _model.Name, _node, term, why, _model.Vip);
        }
    }
}
