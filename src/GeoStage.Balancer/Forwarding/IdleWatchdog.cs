namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// Cancels a connection once nothing has been read from either side for the idle timeout. Reads only
/// stamp the time; the one timer, when it fires early, sleeps for the rest. That keeps timer work off
/// the per-read path, where re-arming a timer on every read would take the timer queue's lock.
/// Concurrency: <see cref="Touch"/> from both pumps, the callback on a timer thread; the stamp is
/// read and written with Volatile.
/// </summary>
internal sealed class IdleWatchdog : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _connection;
    private readonly ITimer? _timer;
    private long _lastActivity;

    public IdleWatchdog(TimeSpan timeout, TimeProvider time, CancellationTokenSource connection)
    {
        _timeout = timeout;
        _time = time;
        _connection = connection;
        _lastActivity = time.GetTimestamp();
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = time.CreateTimer(static state => ((IdleWatchdog)state!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public void Touch()
    {
        if (_timer is not null)
        {
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void OnTimer()
    {
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        try
        {
            if (idle >= _timeout)
            {
                _connection.Cancel();
            }
            else
            {
                _timer?.Change(_timeout - idle, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // The connection ended while the timer fired: there is nothing left to close.
        }
    }
}
