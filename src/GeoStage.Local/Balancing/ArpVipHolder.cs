using GeoStage.Balancer.Replica;
using GeoStage.Core.Model;

namespace GeoStage.Local.Balancing;

/// <summary>
/// The VIP on this node's LAN interface, announced by gratuitous ARP. <paramref name="taken"/> and
/// <paramref name="released"/> queue the user's hooks (for moving a cloud IP) and must not wait for them:
/// taken once the VIP is taken and announced, released once a VIP this replica took is removed, so a slow
/// or hung hook delays neither serving nor the next leader's takeover. <paramref name="fence"/> asks the
/// control plane to take the VIP off every other replica; it throws <see cref="IOException"/> when it cannot.
/// Concurrency: called by the replica's loop only, one call at a time.
/// </summary>
public sealed class ArpVipHolder(BalancerModel balancer, string device, Func<long, CancellationToken, Task> fence, Action<long> taken, Action<long> released) : IVipHolder
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
        catch (IOException e)
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
        taken(term);
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
            released(term);
        }
    }
}
