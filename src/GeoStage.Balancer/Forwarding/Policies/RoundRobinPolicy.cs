using System.Net;

namespace GeoStage.Balancer.Forwarding.Policies;

/// <summary>
/// Each client starts one backend further along; if it fails, the next ones follow in set order.
/// Concurrency: any thread; the only state is a counter moved with Interlocked.
/// </summary>
internal sealed class RoundRobinPolicy : IBalancingPolicy
{
    private int _next = -1;

    public void Order(Span<BackendState> candidates, IPAddress? client) => Rotate(candidates, NextStart(candidates.Length));

    /// <summary>The next start index; unsigned so that the counter may wrap.</summary>
    public int NextStart(int count) => (int)((uint)Interlocked.Increment(ref _next) % (uint)count);

    /// <summary>Moves <paramref name="start"/> to the front, keeping the cyclic order.</summary>
    public static void Rotate(Span<BackendState> items, int start)
    {
        if (start == 0)
        {
            return;
        }

        items[..start].Reverse();
        items[start..].Reverse();
        items.Reverse();
    }
}
