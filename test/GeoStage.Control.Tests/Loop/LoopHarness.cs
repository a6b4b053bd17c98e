using GeoStage.Control.Events;
using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Testing;
using GeoStage.Testing.Fakes;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// A control loop on fake time, a fake runtime and a fake backend, over a real SQLite store in a temp
/// directory: no root, no process. The loop runs in the background as in the daemon; a test moves time only
/// by <see cref="StepAsync"/>, which advances the clock from inside a step on the loop (so no pass is ever
/// half on the old time) and returns once a whole reconcile pass has run on the new time. A pass is known to
/// be over when the loop arms its next tick (<see cref="PassClock"/>), whatever the pass did or threw. Health
/// results and crashes arrive off the loop, as they do for real; <see cref="UntilAsync"/> runs passes, without
/// moving time, until they have been taken in.
/// </summary>
internal sealed class LoopHarness : IAsyncDisposable
{
    /// <summary>The loop's tick: one step of this runs exactly one timed pass.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>Two sites of two nodes each, in this order: e1, e2 (east), w1, w2 (west).</summary>
    public const string FourNodes = """
        name: loop
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
        nodes:
          - { name: e1, site: east }
          - { name: e2, site: east }
          - { name: w1, site: west }
          - { name: w2, site: west }
        """;

    private readonly TempState _temp = new();
    private readonly StateStore _states;
    private readonly EnvironmentState _state;
    private readonly PassClock _clock;
    private CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private LoopHarness()
    {
        _clock = new PassClock(Time);
        _states = new StateStore(_temp.Root);
        var model = SpecValidator.Load(FourNodes, "test.yaml", []);
        _state = new EnvironmentState { Name = model.Name, Phase = EnvironmentPhase.Up, Model = model, CreatedAt = Time.GetUtcNow() };
        _states.Save(_state);
        Store = new ControlStore(_states.Open(model.Name));
        Backend = new FakeBackend(_states);
        Runtime = new FakeRuntime(_temp.Root);
        Loop = NewLoop(_state);
    }

    public ManualTimeProvider Time { get; } = new();

    public FakeRuntime Runtime { get; }

    public FakeBackend Backend { get; }

    public ControlStore Store { get; }

    public ListLogger Logger { get; } = new();

    public ControlLoop Loop { get; private set; }

    /// <summary>A harness whose loop has adopted what runs and finished its first pass.</summary>
    public static async Task<LoopHarness> StartAsync()
    {
        var harness = new LoopHarness();
        await harness.RunLoopAsync();
        return harness;
    }

    /// <summary>A harness whose loop is not running yet: the test prepares the store and the runtime first.</summary>
    public static LoopHarness Create() => new();

    /// <summary>Runs the loop in the background and waits for adoption and the first pass after it.</summary>
    public async Task RunLoopAsync()
    {
        var passes = _clock.Passes;
        var loop = Loop;
        var stop = _stop.Token;
        _run = Task.Run(() => loop.RunAsync(stop), CancellationToken.None);
        // The first tick is armed once adoption is done; the first pass then runs on a step.
        await await Task.WhenAny(_run, _clock.WaitForPassAsync(passes));
        await PassAsync();
    }

    /// <summary>Stops the loop as a daemon restart would (what runs keeps running) and starts a new one on the same store.</summary>
    public async Task RestartDaemonAsync(Action? whileDown = null)
    {
        await StopLoopAsync();
        whileDown?.Invoke();
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        Loop = NewLoop(Loop.State);
        await RunLoopAsync();
    }

    public Task<IReadOnlyDictionary<string, string>> ApplyAsync(params WorkloadModel[] workloads) =>
        Loop.Post(() => Loop.Apply(workloads));

    public Task<WorkloadRecord> UpdateAsync(string name, Func<WorkloadModel, WorkloadModel> change) =>
        Loop.Post(() => Loop.Update(name, change));

    public Task<WorkloadRecord> StopAsync(string name) => Loop.Post(() => Loop.Stop(name));

    /// <summary>Moves time by <paramref name="by"/> on the loop, then waits for the pass that follows.</summary>
    public async Task StepAsync(TimeSpan by)
    {
        var passes = await Loop.Post(() =>
        {
            Time.Advance(by);
            return _clock.Passes;
        });
        await _clock.WaitForPassAsync(passes);
    }

    public Task StepAsync() => StepAsync(Tick);

    /// <summary>One more pass without moving time: takes in what arrived off the loop (health results, exits).</summary>
    public async Task PassAsync()
    {
        var passes = await Loop.Post(() => _clock.Passes);
        await _clock.WaitForPassAsync(passes);
    }

    /// <summary>Runs passes without moving time until <paramref name="condition"/> holds; fails after 10 s of real time.</summary>
    public Task UntilAsync(Func<bool> condition, string what) =>
        Wait.UntilAsync(
            async () =>
            {
                if (condition())
                {
                    return true;
                }

                await PassAsync();
                return condition();
            },
            TimeSpan.FromSeconds(10),
            what);

    /// <summary>
    /// Steps time by <paramref name="step"/> (taking in what arrives between steps) until <paramref name="condition"/>
    /// holds; fails when it does not within <paramref name="limit"/> of fake time. Returns the fake time it took.
    /// </summary>
    public async Task<TimeSpan> StepUntilAsync(Func<bool> condition, string what, TimeSpan step, TimeSpan limit)
    {
        var from = Time.GetUtcNow();
        while (!condition())
        {
            if (Time.GetUtcNow() - from >= limit)
            {
                throw new TimeoutException($"{what} not within {limit.TotalSeconds:0.#} s of fake time");
            }

            await StepAsync(step);
            await PassAsync();
        }

        return Time.GetUtcNow() - from;
    }

    public Task<TimeSpan> StepUntilAsync(Func<bool> condition, string what) =>
        StepUntilAsync(condition, what, Tick, TimeSpan.FromSeconds(60));

    /// <summary>Deploys <paramref name="workloads"/> and steps until every one of them is ready.</summary>
    public async Task DeployReadyAsync(params WorkloadModel[] workloads)
    {
        await ApplyAsync(workloads);
        await StepUntilAsync(() => workloads.All(w => Workload(w.Name).Status == WorkloadStatus.Ready), "the workloads ready");
    }

    public WorkloadRecord Workload(string name) => Store.Workload(name) ?? throw new InvalidOperationException($"no workload {name}");

    public IReadOnlyDictionary<string, InstanceRecord> Instances(string workload) => Store.Instances(workload).ToDictionary(i => i.Node);

    public IReadOnlyList<EventRecord> Events(EventKind kind) => [.. Store.Events(0, 100_000).Where(e => e.Kind == kind.Name)];

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        Store.Dispose();
        _stop.Dispose();
        _temp.Dispose();
    }

    /// <summary>A workload that needs nothing: alive counts as healthy unless <paramref name="health"/> says otherwise.</summary>
    public static WorkloadModel Sleeper(string name = "sleeper", string version = "1", int maxUnavailable = 1, HealthModel? health = null, PlacementModel? placement = null) => new()
    {
        Name = name,
        Version = version,
        Command = "/bin/sleep",
        Args = ["600"],
        MaxUnavailable = maxUnavailable,
        Health = health,
        HealthTimeout = TimeSpan.FromSeconds(2),
        Placement = placement ?? new(),
    };

    /// <summary>A health check the fake runtime answers; checked every <paramref name="intervalMs"/> ms of fake time.</summary>
    public static HealthModel Checked(int intervalMs = 200) =>
        new() { Kind = HealthKind.Command, Command = ["true"], Interval = TimeSpan.FromMilliseconds(intervalMs) };

    private ControlLoop NewLoop(EnvironmentState state) => new(_states, state, Store, Backend, Runtime, _clock, Logger);

    private async Task StopLoopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // How RunAsync ends when its token fires while it waits.
        }
    }

    /// <summary>
    /// The loop's clock: <see cref="Time"/>, counting the timers made on it. The loop makes exactly one, its
    /// next tick, once adoption is done and then each time it has finished a pass and is about to wait again,
    /// so the count grows by one per pass.
    /// Concurrency: any thread; one lock guards the count and its waiters.
    /// </summary>
    private sealed class PassClock(ManualTimeProvider time) : TimeProvider
    {
        private readonly object _gate = new();
        private readonly List<(int After, TaskCompletionSource Done)> _waits = [];
        private int _passes;

        public int Passes
        {
            get
            {
                lock (_gate)
                {
                    return _passes;
                }
            }
        }

        public override long TimestampFrequency => time.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = time.CreateTimer(callback, state, dueTime, period);
            List<TaskCompletionSource> done;
            lock (_gate)
            {
                _passes++;
                done = [.. _waits.Where(w => _passes > w.After).Select(w => w.Done)];
                _waits.RemoveAll(w => _passes > w.After);
            }

            done.ForEach(d => d.TrySetResult());
            return timer;
        }

        /// <summary>Completes once more than <paramref name="after"/> passes are done; fails after 30 s of real time.</summary>
        public async Task WaitForPassAsync(int after)
        {
            TaskCompletionSource done;
            lock (_gate)
            {
                if (_passes > after)
                {
                    return;
                }

                done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((after, done));
            }

            try
            {
                await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"waited 30 s for reconcile pass {after + 1}; {Passes} done");
            }
        }
    }
}
