namespace GeoStage.Local.Probing;

/// <summary>
/// When to send (again) to each target of one source in the until-reachable mode: every target once, in a
/// spread order, then only the unanswered ones, each on its own clock (from its own last send) with a
/// doubling wait, and never more than its attempts. Measured at 500 nodes: re-sending every pending pair on a
/// fixed round clock sent a pair again while its first reply was still queued in the tunnels, so retries grew
/// with the load they caused; a per-target clock only re-sends what has had time to answer.
/// Not thread-safe: one sender owns it. Times are offsets from the start of probing.
/// </summary>
internal sealed class RetrySchedule
{
    private readonly int[] _order;
    private readonly int[] _attempts;
    private readonly int[] _limits;
    private readonly TimeSpan[] _dueAt;
    private readonly TimeSpan _firstRetry;
    private readonly TimeSpan _maxRetry;
    private int _cursor;

    /// <param name="limits">Per target the most requests to send; 0 or less: no limit.</param>
    /// <param name="seed">Spreads each source's order differently (its index), so sources do not all ask the same destination at once.</param>
    public RetrySchedule(IReadOnlyList<int> limits, TimeSpan firstRetry, TimeSpan maxRetry, int seed)
    {
        var count = limits.Count;
        _limits = [.. limits];
        _attempts = new int[count];
        _dueAt = new TimeSpan[count];
        _firstRetry = firstRetry;
        _maxRetry = maxRetry < firstRetry ? firstRetry : maxRetry;
        _order = SpreadOrder(count, seed);
    }

    /// <summary>Targets in the order they are first sent: a permutation that differs per source.</summary>
    public IReadOnlyList<int> Order => _order;

    public int Attempts(int target) => _attempts[target];

    /// <summary>
    /// Up to <paramref name="limit"/> targets due at <paramref name="now"/>: not answered, not out of attempts,
    /// their wait over. Continues where the last call stopped, so a long first round does not starve retries.
    /// </summary>
    public List<int> Due(TimeSpan now, Func<int, bool> answered, int limit)
    {
        var due = new List<int>(Math.Min(limit, _order.Length));
        for (var seen = 0; seen < _order.Length && due.Count < limit; seen++)
        {
            var target = _order[_cursor];
            _cursor = (_cursor + 1) % _order.Length;
            if (!Exhausted(target) && _dueAt[target] <= now && !answered(target))
            {
                due.Add(target);
            }
        }

        return due;
    }

    /// <summary>Records a request sent to <paramref name="target"/> at <paramref name="at"/>; its next one waits twice as long as the last.</summary>
    public void Sent(int target, TimeSpan at)
    {
        var attempt = ++_attempts[target];
        _dueAt[target] = at + Wait(attempt);
    }

    /// <summary>
    /// The earliest time anything unanswered is due again, or, when every unanswered target has had all its
    /// attempts, when the last of them has had its wait for a reply; null when nothing is left to wait for.
    /// </summary>
    public TimeSpan? NextDue(Func<int, bool> answered)
    {
        TimeSpan? next = null;
        TimeSpan? lastReply = null;
        for (var target = 0; target < _order.Length; target++)
        {
            if (answered(target))
            {
                continue;
            }

            if (!Exhausted(target))
            {
                next = next is null || _dueAt[target] < next ? _dueAt[target] : next;
            }
            else if (lastReply is null || _dueAt[target] > lastReply)
            {
                lastReply = _dueAt[target];
            }
        }

        return next ?? lastReply;
    }

    /// <summary>True when every target is answered or out of attempts (nothing more to send).</summary>
    public bool Done(Func<int, bool> answered)
    {
        for (var target = 0; target < _order.Length; target++)
        {
            if (!Exhausted(target) && !answered(target))
            {
                return false;
            }
        }

        return true;
    }

    internal TimeSpan Wait(int attempt)
    {
        var wait = _firstRetry * Math.Pow(2, Math.Min(attempt - 1, 20));
        return wait < _maxRetry ? wait : _maxRetry;
    }

    private bool Exhausted(int target) => _limits[target] > 0 && _attempts[target] >= _limits[target];

    private static int[] SpreadOrder(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}
