using System.Diagnostics;
using System.Net;

namespace GeoStage.Bench;

/// <summary>One failover: kill → first 200 through the VIP from site C, and what the VIP sampler saw meanwhile.</summary>
internal sealed record FailoverRound(int Index, string? From, string? To, double? Ms, int Samples, int Overlaps, double? ReportedMs, string? Failure)
{
    /// <summary>When the SIGKILL was sent (GeoStage rounds), to set against the daemon's events.</summary>
    public DateTimeOffset? KilledAt { get; init; }
}

/// <summary>
/// Samples which of two namespaces hold an address every ~5 ms (as BalancerTests.Holds does) and counts
/// samples where both do. Concurrency: one sampling task writes the counters; read after StopAsync.
/// </summary>
internal sealed class VipSampler(string nsA, string nsB, IPAddress vip) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _task;

    public int Samples { get; private set; }

    public int Overlaps { get; private set; }

    public void Start() => _task = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            var both = InNamespace.Holds(nsA, vip) && InNamespace.Holds(nsB, vip);
            Overlaps += both ? 1 : 0;
            Samples++;
            await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
        }
    });

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_task ?? Task.CompletedTask).ConfigureAwait(false);
    }

    public void Dispose() => _stop.Dispose();
}

/// <summary>The probe loop: GETs through a target from a client namespace until the answer is the expected one.</summary>
internal static class Probe
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Milliseconds on <paramref name="clock"/> at the first 200 whose body <paramref name="accept"/> takes, or null after <paramref name="limit"/>.</summary>
    public static async Task<double?> UntilAsync(string ns, IPEndPoint target, Func<string, bool> accept, Stopwatch clock, TimeSpan limit, CancellationToken cancellationToken)
    {
        while (clock.Elapsed < limit)
        {
            var attempt = clock.Elapsed;
            if (await InNamespace.GetAsync(ns, target, AttemptTimeout, cancellationToken).ConfigureAwait(false) is { } body && accept(body))
            {
                return clock.Elapsed.TotalMilliseconds;
            }

            // A refused connect returns at once: pace retries at 2 ms, not a busy loop.
            if (clock.Elapsed - attempt < TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    /// <summary>Waits up to <paramref name="limit"/> for <paramref name="condition"/>, polling every 50 ms.</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await condition().ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }
}
