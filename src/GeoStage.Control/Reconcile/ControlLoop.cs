using GeoStage.Control.Instances;
using GeoStage.Control.Events;
using System.Threading.Channels;
using GeoStage.Control.Store;
using GeoStage.Core.State;
using GeoStage.Core.Backends;
using GeoStage.Core.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoStage.Control.Reconcile;

/// <summary>
/// The daemon's single writer: every change (a command from the API, a health result, a tick) runs as a
/// step on this loop, one at a time, so state is never changed from two places at once. A tick reconciles
/// what runs with what is wanted: starts missing instances, restarts crashed ones with backoff, advances
/// rollouts within their policy, rolls back a failed one, and restarts dead tunnels.
/// Concurrency: <see cref="RunAsync"/> owns all mutable fields and makes every change to desired state.
/// Other threads call <see cref="Post"/>, and, off the loop so that a failover never waits for a busy
/// loop, <see cref="Record"/> and <see cref="FenceOthersAsync"/> (API and process-exit threads: they use
/// only the balancers' concurrent dictionaries, the VIP on nodes' interfaces and <see cref="Emit"/>);
/// <see cref="Emit"/> appends through the store, whose lock serialises its one connection. See docs/architecture.md.
/// </summary>
public sealed partial class ControlLoop
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(100);
    private readonly Channel<Func<Task>> _steps = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StateStore _states;
    private readonly IEnvironmentBackend _backend;
    private readonly IInstanceRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // How the instances this daemon started end: the runtime completes each when its instance exits.
    private readonly Dictionary<(string Workload, string Node), Task<string>> _children = [];
    private readonly Dictionary<(string Workload, string Node), DateTimeOffset> _checkedAt = [];
    private readonly HashSet<(string Workload, string Node)> _checking = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Each reconcile step's last error while it keeps failing, so that a lasting failure is logged once.
    private readonly Dictionary<string, string> _stepErrors = new(StringComparer.Ordinal);

    public ControlLoop(StateStore states, EnvironmentState state, ControlStore store, IEnvironmentBackend backend, IInstanceRuntime runtime, TimeProvider time, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _states = states;
        State = state;
        Store = store;
        _backend = backend;
        _time = time;
        Leases = new(time);
        _runtime = runtime;
    }

    public EnvironmentState State { get; private set; }

    public ControlStore Store { get; }

    public IEnvironmentBackend Backend => _backend;

    public IInstanceRuntime Runtime => _runtime;

    /// <summary>The state root, passed to the processes (balancer replicas) that talk back to this daemon.</summary>
    public string StateRoot => _states.Root;

    /// <summary>Leases for leader election. In memory: after a daemon restart every lease is free and
    /// holders re-acquire within a retry interval, keeping their term only if nobody else was faster.
    /// Expiry is logic, so it runs on the loop's clock.</summary>
    public Balancer.Election.LeaseTable Leases { get; }

    /// <summary>Completes at the next change of workloads, instances or events (for watchers).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Runs <paramref name="step"/> on the loop and returns its result.</summary>
    public Task<T> Post<T>(Func<Task<T>> step)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = _steps.Writer.TryWrite(async () =>
        {
            try
            {
                done.SetResult(await step().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        if (!queued)
        {
            done.SetException(new InvalidOperationException("the control daemon is stopping"));
        }

        return done.Task;
    }

    public Task<T> Post<T>(Func<T> step) => Post(() => Task.FromResult(step()));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await AdoptAsync(cancellationToken).ConfigureAwait(false);
        // The tick and the rotation run on the injected clock, so a test on fake time drives both.
        var rotatedAt = _time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            using var tick = new CancellationTokenSource(s_tick, _time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tick.Token);
            try
            {
                if (await _steps.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    while (_steps.Reader.TryRead(out var step))
                    {
                        await step().ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A tick without a command.
            }

            await ReconcileOnceAsync(cancellationToken).ConfigureAwait(false);
            // Every second: at 10 s, an instance writing flat out outgrew its bound many times over.
            if (_time.GetElapsedTime(rotatedAt) > TimeSpan.FromSeconds(1))
            {
                RotateLogs();
                rotatedAt = _time.GetTimestamp();
            }
        }

        _steps.Writer.TryComplete();
    }

    /// <summary>
    /// One reconcile pass: workloads, devices, tunnels, each step on its own. A step that fails is logged (once
    /// while its error repeats) and runs again next tick; the other steps run meanwhile. If a failure ended the
    /// loop, it would end the daemon and with it the supervision of every workload and tunnel; if it ended the
    /// pass, a device check that keeps failing would stop tunnels from being restarted.
    /// </summary>
    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await RunStepAsync("workloads", ReconcileWorkloadsAsync, cancellationToken).ConfigureAwait(false);
        await RunStepAsync("devices", RepairDevicesAsync, cancellationToken).ConfigureAwait(false);
        await RunStepAsync("tunnels", SuperviseTunnelsAsync, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunStepAsync(string step, Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        try
        {
            await run(cancellationToken).ConfigureAwait(false);
            if (_stepErrors.Remove(step, out var error))
            {
                Log.ReconcileRecovered(_logger, error);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_stepErrors.TryGetValue(step, out var last) || last != e.Message)
            {
                _stepErrors[step] = e.Message;
                Log.ReconcileFailed(_logger, e);
            }
        }
    }

    /// <summary>Records an event, logs it and wakes watchers. Only catalogued kinds: users and docs/cli.md know them by name.</summary>
    public EventRecord Emit(EventKind kind, string? workload, string? node, string message)
    {
        var record = Store.Append(_time.GetUtcNow(), kind.Name, workload, node, message);
        Log.EventEmitted(_logger, kind.Name, kind.Category, workload is null ? node ?? "-" : node is null ? workload : $"{workload}/{node}", message);
        Signal();
        return record;
    }

    private void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void SaveState(EnvironmentState state)
    {
        State = state;
        _states.Save(state);
    }

    private void RotateLogs()
    {
        foreach (var instance in Store.Instances())
        {
            if (LogRotator.RotateIfLarge(instance.LogFile))
            {
                Emit(EventKind.LogRotated, instance.Workload, instance.Node, $"output rotated at {LogRotator.DefaultLimit / (1 << 20)} MiB");
            }
        }
    }
}
