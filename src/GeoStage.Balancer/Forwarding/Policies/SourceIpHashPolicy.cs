using System.Net;

namespace GeoStage.Balancer.Forwarding.Policies;

/// <summary>
/// Rendezvous (highest random weight) hashing: each backend scores the client address and the highest
/// score wins. A client moves only when its own backend leaves, and the runner-up is its failover.
/// Concurrency: stateless.
/// </summary>
internal sealed class SourceIpHashPolicy : IBalancingPolicy
{
    private const int StackLimit = 64;

    public void Order(Span<BackendState> candidates, IPAddress? client)
    {
        var clientHash = StableHash.Of(client);
        Span<ulong> scores = candidates.Length <= StackLimit ? stackalloc ulong[candidates.Length] : new ulong[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            scores[i] = StableHash.Combine(clientHash, candidates[i].HashKey);
        }

        // Highest score first; insertion sort as the sets are small.
        for (var i = 1; i < candidates.Length; i++)
        {
            var backend = candidates[i];
            var score = scores[i];
            var j = i - 1;
            while (j >= 0 && scores[j] < score)
            {
                candidates[j + 1] = candidates[j];
                scores[j + 1] = scores[j];
                j--;
            }

            candidates[j + 1] = backend;
            scores[j + 1] = score;
        }
    }
}
