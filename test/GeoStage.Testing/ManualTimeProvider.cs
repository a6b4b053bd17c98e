namespace GeoStage.Testing;

/// <summary>
/// Time that moves only when a test says so: <see cref="Advance"/> fires the timers that fall due, so
/// code using <c>Task.Delay(span, timeProvider)</c> runs deterministically. (The Testing package with
/// FakeTimeProvider is not served by this project's registry.) A test advances time once the code under
/// test is parked on its timers (<see cref="WaitForWaitersAsync"/>), never after a real delay or a yield.
/// Concurrency: any thread; a lock guards the clock and the timers; callbacks run outside it.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waits = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers waiting for time to move: one per <c>Task.Delay</c> the code under test is parked on.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>
    /// Completes once at least <paramref name="count"/> timers are pending: the code under test has reached
    /// its waits, so advancing now is deterministic. Fails after 30 s of real time naming what was awaited.
    /// </summary>
    public async Task WaitForWaitersAsync(int count, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_timers.Count >= count)
            {
                return;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((count, done));
        }

        try
        {
            await done.Task.WaitAsync(s_waitLimit, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"waited {s_waitLimit.TotalSeconds:0} s for {count} pending timer(s); {PendingTimers} pending");
        }
        finally
        {
            lock (_gate)
            {
                _waits.RemoveAll(w => w.Done == done);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing due timers in order (each at its own due time).</summary>
    public void Advance(TimeSpan by)
    {
        long end;
        lock (_gate)
        {
            end = _ticks + by.Ticks;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    _now += TimeSpan.FromTicks(end - _ticks);
                    _ticks = end;
                    return;
                }

                _now += TimeSpan.FromTicks(next.Due - _ticks);
                _ticks = next.Due;
                if (next.Period > 0)
                {
                    next.Due += next.Period;
                }
                else
                {
                    _timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    /// <summary>Completes the waits the pending timers now satisfy. Called under the lock; continuations run asynchronously.</summary>
    private void ReleaseWaits()
    {
        foreach (var wait in _waits.Where(w => _timers.Count >= w.Count).ToList())
        {
            wait.Done.TrySetResult();
            _waits.Remove(wait);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long Due { get; set; }

        public long Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = owner._ticks + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                owner._timers.Add(this);
                owner.ReleaseWaits();
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
