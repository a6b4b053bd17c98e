using System.Diagnostics;

namespace GeoStage.Control.Tests;

/// <summary>
/// What the balancer tests watch through a failover, sampled until disposed: a client opening one new
/// connection after another to the VIP (when each was answered), and how many replica namespaces hold
/// the VIP at once (a namespace that is gone holds nothing).
/// </summary>
internal sealed class FailoverWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimeSpan> _answered = [];
    private readonly Task _client;
    private readonly Task _holders;

    public FailoverWatch(Func<bool> request, Func<int> holders)
    {
        _client = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (request())
                {
                    lock (_answered)
                    {
                        _answered.Add(_clock.Elapsed);
                    }
                }
                else
                {
                    Failed++;
                }

                await Task.Delay(10);
            }
        });
        _holders = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Overlaps += holders() > 1 ? 1 : 0;
                Samples++;
                await Task.Delay(5);
            }
        });
    }

    public int Failed { get; private set; }

    public int Overlaps { get; private set; }

    public int Samples { get; private set; }

    /// <summary>The time since the watch began, to mark the moment of a failure.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public int AnsweredBefore(TimeSpan moment)
    {
        lock (_answered)
        {
            return _answered.Count(a => a < moment);
        }
    }

    public int AnsweredAfter(TimeSpan moment)
    {
        lock (_answered)
        {
            return _answered.Count(a => a > moment);
        }
    }

    /// <summary>Waits until the client got <paramref name="count"/> answers after <paramref name="moment"/>.</summary>
    public Task UntilAnsweredAfterAsync(TimeSpan moment, int count, string what) =>
        Testing.Wait.UntilAsync(() => AnsweredAfter(moment) >= count, TimeSpan.FromSeconds(20), what);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_client, _holders);
        _stop.Dispose();
    }
}
