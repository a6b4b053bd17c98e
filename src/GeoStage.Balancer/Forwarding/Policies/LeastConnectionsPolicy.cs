using System.Net;

namespace GeoStage.Balancer.Forwarding.Policies;

/// <summary>
/// Fewest open connections first. Ties keep round-robin order, so that an idle set still spreads
/// clients rather than piling them on its first backend.
/// Concurrency: any thread; the counts are read once each, so a concurrent change cannot confuse the sort.
/// </summary>
internal sealed class LeastConnectionsPolicy : IBalancingPolicy
{
    private const int StackLimit = 64;
    private readonly RoundRobinPolicy _ties = new();

    public void Order(Span<BackendState> candidates, IPAddress? client)
    {
        RoundRobinPolicy.Rotate(candidates, _ties.NextStart(candidates.Length));
        Span<long> active = candidates.Length <= StackLimit ? stackalloc long[candidates.Length] : new long[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            active[i] = candidates[i].ActiveConnections;
        }

        // Insertion sort: stable (ties stay in rotation order) and the sets are small.
        for (var i = 1; i < candidates.Length; i++)
        {
            var backend = candidates[i];
            var count = active[i];
            var j = i - 1;
            while (j >= 0 && active[j] > count)
            {
                candidates[j + 1] = candidates[j];
                active[j + 1] = active[j];
                j--;
            }

            candidates[j + 1] = backend;
            active[j + 1] = count;
        }
    }
}
