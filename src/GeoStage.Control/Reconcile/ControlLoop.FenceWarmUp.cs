using System.Collections.Concurrent;
using GeoStage.Balancer.Replica;
using GeoStage.Core.Model;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>Balancers whose fence path has run once in this daemon (<see cref="WarmFencePath"/>); the value is unused.</summary>
    private readonly ConcurrentDictionary<string, byte> _fenceWarmed = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the fence path once per balancer, harmlessly, when its first replica starts, so that the first
    /// leader's death is fenced as fast as later ones: the VIP is looked for on every node of the site (read
    /// in-process, as <see cref="FenceOthersAsync"/> does), and removed from an interface that never holds it
    /// (loopback, as <see cref="FenceAsync"/> removes it from the LAN interface: `ip` runs, answers that the
    /// address is not there, and that answer is taken as done). Nothing a replica or a client sees changes.
    /// </summary>
    private void WarmFencePath(BalancerModel balancer)
    {
        if (!_fenceWarmed.TryAdd(balancer.Name, 0))
        {
            return;
        }

        var model = State.Model;
        _ = Task.Run(async () =>
        {
            _ = Leases.Get(BalancerReplica.LeaseName(balancer.Name));
            await _runtime.WarmUpFenceAsync(model, balancer, CancellationToken.None).ConfigureAwait(false);
        });
    }
}
