using System.Diagnostics;

namespace GeoStage.Local.Probing;

/// <summary>
/// Spreads sends evenly at a rate shared by every source of one probe run, so that a 100-node matrix
/// does not arrive at the tunnels as one 10,000-packet burst (which they drop, and which inflates RTTs).
/// Concurrency: all sources call <see cref="WaitAsync"/>; the slot arithmetic is under a lock.
/// </summary>
internal sealed class Pacer
{
    private static readonly TimeSpan s_sleepThreshold = TimeSpan.FromMilliseconds(2);
    private readonly object _gate = new();
    private readonly long _ticksPerSend;
    private long _next;

    public Pacer(double perSecond)
    {
        _ticksPerSend = (long)(Stopwatch.Frequency / perSecond);
        _next = Stopwatch.GetTimestamp();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        long now;
        long slot;
        lock (_gate)
        {
            now = Stopwatch.GetTimestamp();
            slot = Math.Max(_next, now);
            _next = slot + _ticksPerSend;
        }

        var wait = Stopwatch.GetElapsedTime(now, slot);
        return wait < s_sleepThreshold ? Task.CompletedTask : Task.Delay(wait, cancellationToken);
    }
}
