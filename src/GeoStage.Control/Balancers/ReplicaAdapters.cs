using System.Net;
using GeoStage.Balancer.Replica;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Core.Model;
using GeoStage.Local;
using GeoStage.Local.Probing;

namespace GeoStage.Control.Balancers;

/// <summary>
/// The VIP on this node's LAN interface, announced by gratuitous ARP. The user's hooks (for moving a cloud
/// IP) are queued, never awaited: onLeader once the VIP is taken and announced, onFollower once a VIP this
/// replica took is removed, so a slow or hung hook delays neither serving nor the next leader's takeover.
/// Concurrency: called by the replica's loop only, one call at a time.
/// </summary>
public sealed class ArpVipHolder(BalancerModel balancer, string device, Func<long, CancellationToken, Task> fence, HookRunner hooks) : IVipHolder
{
    private static readonly TimeSpan s_spacing = TimeSpan.FromMilliseconds(50);

    // The term whose onLeader was queued: onFollower pairs with it, never runs for a term whose take failed.
    private long? _taken;

    // Stops the repeated announcements after the first, sent while the leader already serves; run before release.
    private Func<Task>? _stopAnnouncing;

    public async Task TakeAsync(long term, CancellationToken cancellationToken)
    {
        // The daemon first takes the VIP off every other replica (fencing token: this term); if it cannot
        // be asked, the VIP is not taken and leadership is given up.
        try
        {
            await fence(term, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonNotRunningException or ControlRequestException or HttpRequestException)
        {
            throw new IOException($"could not fence the other replicas before taking {balancer.Vip}: {e.Message}", e);
        }

        await Vip.TakeAsync(null, balancer.Vip, device, cancellationToken).ConfigureAwait(false);
        var announcing = new CancellationTokenSource();
        var announced = Vip.AnnounceAsync(null, balancer.Vip, device, 2, s_spacing, announcing.Token);
        _stopAnnouncing = async () =>
        {
            await announcing.CancelAsync().ConfigureAwait(false);
            try
            {
                await announced.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }

            announcing.Dispose();
        };
        _taken = term;
        hooks.Enqueue(HookRole.Leader, balancer.OnLeader, term);
    }

    public Task WarmUpAsync(CancellationToken cancellationToken) => Vip.WarmUpAsync(null, device, cancellationToken);

    public async Task ReleaseAsync(long term, CancellationToken cancellationToken)
    {
        // No announcement of an address this replica is giving up may follow the release.
        if (_stopAnnouncing is { } stop)
        {
            _stopAnnouncing = null;
            await stop().ConfigureAwait(false);
        }

        await Vip.ReleaseAsync(null, balancer.Vip, device, cancellationToken).ConfigureAwait(false);
        if (_taken == term)
        {
            _taken = null;
            hooks.Enqueue(HookRole.Follower, balancer.OnFollower, term);
        }
    }
}

/// <summary>Backends from the daemon: the node addresses of a workload's healthy instances.</summary>
public sealed class DaemonBackendSource(ControlClient client) : IBackendSource
{
    public async Task<IReadOnlyList<IPEndPoint>> ReadAsync(string workload, int port, CancellationToken cancellationToken)
    {
        try
        {
            var instances = await client.GetAsync<List<InstanceView>>($"v1/instances?workload={Uri.EscapeDataString(workload)}", cancellationToken).ConfigureAwait(false);
            return [.. instances.Where(i => i.State == "healthy" && i.Address is not null).Select(i => new IPEndPoint(IPAddress.Parse(i.Address!), port))];
        }
        catch (DaemonNotRunningException e)
        {
            throw new IOException(e.Message, e);
        }
    }
}

/// <summary>The data path works when the site's gateway answers ICMP echo through this node's interface.</summary>
public sealed class GatewayDataPath(string ns, IPAddress gateway) : IDataPath
{
    public async Task<bool> WorksAsync(CancellationToken cancellationToken)
    {
        var results = await IcmpProber.ProbeAsync(
            [new ProbeTarget("self", ns, "gateway", gateway)],
            new ProbeOptions { Count = 2, Interval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromMilliseconds(300) },
            cancellationToken).ConfigureAwait(false);
        return results[0].Reachable;
    }
}
