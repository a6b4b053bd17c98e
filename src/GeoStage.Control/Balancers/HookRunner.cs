using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Channels;

using Microsoft.Extensions.Logging;

namespace GeoStage.Control.Balancers;

/// <summary>Which hook runs: <c>onLeader</c> after the VIP is taken, <c>onFollower</c> after it is released.</summary>
public enum HookRole
{
    Leader,
    Follower,
}

/// <summary>
/// Runs a balancer replica's <c>onLeader</c> / <c>onFollower</c> hooks in the background, so that a slow
/// cloud CLI never delays serving or giving the lease back, and strictly one after another in the order
/// they were queued, so that the onFollower of term 3 never races the onLeader of term 5. Each hook gets
/// VIP, node and term appended to its arguments and GEOSTAGE_VIP, _NODE, _TERM, _ROLE and _BALANCER in its
/// environment; it runs in a process group of its own (setsid), which is ended when the hook outlives its
/// timeout. One log line per hook says how it ended, with its last line of output when it failed.
/// Concurrency: <see cref="Enqueue"/> from any thread; one loop runs the hooks; stop or dispose once.
/// </summary>
public sealed partial class HookRunner : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly string _balancer;
    private readonly string _vip;
    private readonly string _node;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Channel<Hook> _queue = Channel.CreateUnbounded<Hook>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _loop;

    public HookRunner(string balancer, IPAddress vip, string node, TimeSpan timeout, ILogger logger)
    {
        _balancer = balancer;
        _vip = vip.ToString();
        _node = node;
        _timeout = timeout;
        _logger = logger;
        _loop = Task.Run(RunQueueAsync);
    }

    /// <summary>Queues <paramref name="command"/> (nothing when empty) behind the hooks queued before it.</summary>
    public void Enqueue(HookRole role, IReadOnlyList<string> command, long term)
    {
        if (command.Count == 0)
        {
            return;
        }

        var hook = new Hook(role, command, term);
        if (!_queue.Writer.TryWrite(hook))
        {
            Log.HookOutcome(_logger, Describe(hook), "not run, the balancer is stopping");
        }
    }

    /// <summary>
    /// Takes no more hooks and waits for the queued ones, each within its timeout. When
    /// <paramref name="cancellationToken"/> fires first, the running hook is killed and the rest are not run.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        using (cancellationToken.Register(static abandon => ((CancellationTokenSource)abandon!).Cancel(), _abandon))
        {
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>Lets the queued hooks run out, each within its timeout; leaks no process.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _abandon.Dispose();
    }

    private async Task RunQueueAsync()
    {
        await foreach (var hook in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            string outcome;
            if (_abandon.IsCancellationRequested)
            {
                outcome = "not run, the balancer is stopping";
            }
            else
            {
                try
                {
                    outcome = await RunAsync(hook, _abandon.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One bad hook must not stop the hooks queued behind it: say what happened and go on.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    outcome = $"failed: {e.Message}";
                }
            }

            Log.HookOutcome(_logger, Describe(hook), outcome);
        }
    }

    private string Describe(Hook hook) =>
        $"hook {RoleName(hook.Role)} term {hook.Term.ToString(CultureInfo.InvariantCulture)}: {string.Join(' ', Arguments(hook).Prepend(hook.Command[0]))}";

    private IEnumerable<string> Arguments(Hook hook) =>
        [.. hook.Command.Skip(1), _vip, _node, hook.Term.ToString(CultureInfo.InvariantCulture)];

    private static string RoleName(HookRole role) => role == HookRole.Leader ? "leader" : "follower";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Milliseconds(Stopwatch clock) => clock.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private sealed record Hook(HookRole Role, IReadOnlyList<string> Command, long Term);
}
