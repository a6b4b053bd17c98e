namespace GeoStage.Local.Probing;

/// <summary>
/// The probes of one source socket: what was sent and what came back, per target.
/// Concurrency: the sender and the receive loop both touch it; every member takes the lock.
/// </summary>
internal sealed class Session
{
    private readonly object _gate = new();
    private readonly int[] _sent;
    private readonly List<double>[] _rtts;
    private readonly int?[] _ttl;
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private ushort _sequence;
    private int _reached;

    public Session(ProbeTarget[] targets, ushort identifier, Pacer pacer)
    {
        Targets = targets;
        Identifier = identifier;
        Pacer = pacer;
        _sent = new int[targets.Length];
        _rtts = [.. targets.Select(_ => new List<double>())];
        _ttl = new int?[targets.Length];
    }

    public ProbeTarget[] Targets { get; }

    public ushort Identifier { get; }

    public Pacer Pacer { get; }

    public bool AllReached()
    {
        lock (_gate)
        {
            return _reached == _rtts.Length;
        }
    }

    public ushort NextSequence()
    {
        lock (_gate)
        {
            return ++_sequence;
        }
    }

    public void MarkSent(int target)
    {
        lock (_gate)
        {
            _sent[target]++;
        }
    }

    public bool Reached(int target)
    {
        lock (_gate)
        {
            return _rtts[target].Count > 0;
        }
    }

    public void MarkReceived(int target, double rttMs, int ttl)
    {
        lock (_gate)
        {
            if (_rtts[target].Count == 0)
            {
                _reached++;
            }

            _rtts[target].Add(rttMs);
            _ttl[target] = ttl;
            _waiters.RemoveAll(w =>
            {
                var done = Answered(w.Count);
                if (done)
                {
                    w.Done.TrySetResult();
                }

                return done;
            });
        }
    }

    /// <summary>Completes when every target has answered <paramref name="count"/> times.</summary>
    public Task AllAnswered(int count)
    {
        lock (_gate)
        {
            if (Answered(count))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public ProbeResult[] Results()
    {
        lock (_gate)
        {
            return [.. Targets.Select((t, i) => new ProbeResult(
                t,
                _sent[i],
                _rtts[i].Count,
                _rtts[i].Count > 0 ? Math.Round(_rtts[i].Average(), 3) : null,
                _rtts[i].Count > 0 ? Math.Round(_rtts[i].Min(), 3) : null,
                _rtts[i].Count > 0 ? Math.Round(_rtts[i].Max(), 3) : null,
                _ttl[i]))];
        }
    }

    private bool Answered(int count) => _rtts.All(r => r.Count >= count);
}
