namespace GeoStage.Balancer.Election;

/// <summary>Leadership of one term: serve while <see cref="Token"/> is not cancelled, stamp actions with <see cref="Term"/>.</summary>
public sealed class Leadership : IAsyncDisposable
{
    private readonly CancellationTokenSource _lost;
    private readonly Func<Task> _release;

    internal Leadership(long term, CancellationTokenSource lost, Func<Task> release)
    {
        Term = term;
        _lost = lost;
        _release = release;
    }

    public long Term { get; }

    /// <summary>Cancelled the moment this holder can no longer be sure it leads.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>Gives leadership up: stops renewing and releases the lease so that a follower need not wait for it to expire.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lost.CancelAsync().ConfigureAwait(false);
        await _release().ConfigureAwait(false);
        _lost.Dispose();
    }
}

/// <summary>
/// Leader election on a lease, the dotNext way: <see cref="WaitForLeadershipAsync"/> returns once this
/// holder has the lease, with a token that is cancelled when it may have lost it. The holder renews every
/// third of the TTL and counts its deadline from when it sent its last successful renewal, less a
/// margin: the table counts from when it received it, so the holder always stops before the lease can
/// be taken by anyone else, and two leaders never overlap even when renewals are slow or lost.
/// Concurrency: one caller at a time; the renewal loop runs on its own task.
/// </summary>
public sealed class LeaderElector
{
    private readonly ILeaseClient _leases;
    private readonly string _lease;
    private readonly string _holder;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    public LeaderElector(ILeaseClient leases, string lease, string holder, TimeSpan ttl, TimeProvider time)
    {
        _leases = leases;
        _lease = lease;
        _holder = holder;
        _ttl = ttl;
        _time = time;
        Margin = TimeSpan.FromTicks(ttl.Ticks / 5);
        RetryInterval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, ttl.Ticks / 10));
    }

    /// <summary>How much before its own view of expiry a leader lets go (a fifth of the TTL).</summary>
    public TimeSpan Margin { get; }

    /// <summary>How often a follower asks for the lease.</summary>
    public TimeSpan RetryInterval { get; }

    public TimeSpan RenewInterval => TimeSpan.FromTicks(_ttl.Ticks / 3);

    public async Task<Leadership> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var sent = _time.GetTimestamp();
            var grant = await TryAsync(cancellationToken).ConfigureAwait(false);
            if (grant is { Granted: true } && grant.Holder == _holder)
            {
                return Lead(grant.Term, sent);
            }

            await Task.Delay(RetryInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private Leadership Lead(long term, long sent)
    {
        var lost = new CancellationTokenSource();
        var deadline = sent + ToTimestamp(_ttl - Margin);
        var renewing = Task.Run(async () =>
        {
            try
            {
                while (!lost.IsCancellationRequested)
                {
                    var wait = TimeSpan.FromTicks(Math.Min(RenewInterval.Ticks, Remaining(deadline).Ticks));
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, lost.Token).ConfigureAwait(false);
                    }

                    if (Remaining(deadline) <= TimeSpan.Zero)
                    {
                        break;
                    }

                    var renewSent = _time.GetTimestamp();
                    var grant = await TryAsync(lost.Token).ConfigureAwait(false);
                    if (grant is { Granted: true } && grant.Holder == _holder && grant.Term == term)
                    {
                        deadline = renewSent + ToTimestamp(_ttl - Margin);
                    }
                    else if (grant is not null)
                    {
                        // The table answered and it is not ours any more.
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Given up by the holder.
            }

            await lost.CancelAsync().ConfigureAwait(false);
        });
        return new Leadership(term, lost, async () =>
        {
            await renewing.ConfigureAwait(false);
            try
            {
                await _leases.ReleaseAsync(_lease, _holder, term, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or InvalidOperationException)
            {
                // The lease expires on its own.
            }
        });
    }

    private async Task<LeaseGrant?> TryAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RenewInterval);
            return await _leases.AcquireOrRenewAsync(_lease, _holder, _ttl, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or InvalidOperationException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The table did not answer: no news is not good news for a leader, whose deadline runs on.
            return null;
        }
    }

    private TimeSpan Remaining(long deadline) => _time.GetElapsedTime(_time.GetTimestamp(), deadline);

    private long ToTimestamp(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
