using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Runtime;

namespace GeoStage.Testing.Fakes;

/// <summary>One instance the fake started: what, where, which version, and in what order (1 for the first start).</summary>
public sealed record FakeStart(int Order, string Workload, string Node, string Version, InstanceHandle Handle);

/// <summary>What the loop asked of the fake that ends or fences something, in the order it asked.</summary>
public enum FakeAction
{
    Stop,
    FenceVip,
}

/// <summary>
/// One entry of <see cref="FakeRuntime.Journal"/>. <see cref="Workload"/> and <see cref="Node"/> are those of
/// the stopped instance (null for a handle the fake never knew) or the fenced node.
/// </summary>
public sealed record FakeJournalEntry(int Order, FakeAction Action, string? Workload, string? Node, InstanceHandle? Handle, string? Detail);

/// <summary>
/// A fake <see cref="IInstanceRuntime"/> for the control loop's unit tests: no process, no namespace, no
/// root. It keeps the semantics the loop relies on: a start returns a new handle ("fake-N") whose
/// <see cref="StartedInstance.Exited"/> completes when the instance ends (crash or stop) and after which
/// <see cref="IsAlive"/> is false; <see cref="Scan"/> finds every instance still alive (as the local runtime
/// finds marked processes after a daemon restart) plus what a test planted; a VIP is held per node until
/// fenced. Tests make instances crash, make starts fail, choose health answers, and read back every start
/// (<see cref="Starts"/>) and every stop and fence in one ordered <see cref="Journal"/>.
/// Concurrency: any thread (the loop starts in parallel, checks health and fences off its own thread); one
/// lock guards all state, and no callback or task continuation runs under it.
/// </summary>
public sealed class FakeRuntime : IInstanceRuntime
{
    private readonly object _gate = new();
    private readonly string _root;
    private readonly Dictionary<string, Live> _live = new(StringComparer.Ordinal);
    private readonly List<FakeStart> _starts = [];
    private readonly List<FakeJournalEntry> _journal = [];
    private readonly Dictionary<string, Exception> _failStarts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Workload, string Node, string? Version), string?> _health = [];
    private readonly HashSet<(string Node, IPAddress Vip)> _vips = [];
    private int _next;
    private int _order;
    private int _healthChecks;
    private int _warmUps;

    /// <param name="root">Where <see cref="PathsOf"/> puts instance directories (a test's temp directory).</param>
    public FakeRuntime(string root)
    {
        _root = root;
    }

    /// <summary>
    /// Called with each journal entry as it is made, before the call it records returns: a test reads other
    /// state at that moment (who holds a lease while a VIP is fenced).
    /// </summary>
    public Action<FakeJournalEntry>? Observer { get; set; }

    public bool ProgramsOnThisHost => false;

    public IReadOnlyList<FakeStart> Starts => Read(() => _starts.ToList());

    public IReadOnlyList<FakeJournalEntry> Journal => Read(() => _journal.ToList());

    public int HealthChecks => Read(() => _healthChecks);

    public int FenceWarmUps => Read(() => _warmUps);

    public InstancePaths PathsOf(string workload, string node)
    {
        var dir = Path.Combine(_root, "instances", workload, node);
        return new InstancePaths(dir, Path.Combine(dir, "output.log"));
    }

    public StartedInstance Start(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed)
    {
        lock (_gate)
        {
            if (_failStarts.TryGetValue(node.Name, out var error))
            {
                throw error;
            }

            var handle = new InstanceHandle($"fake-{++_next}");
            var exited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _live[handle.Id] = new Live(workload.Name, node.Name, workload.Version, _next, exited);
            _starts.Add(new FakeStart(_starts.Count + 1, workload.Name, node.Name, workload.Version, handle));
            return new StartedInstance(handle, exited.Task);
        }
    }

    public Task StopAsync(InstanceHandle handle, CancellationToken cancellationToken)
    {
        FakeJournalEntry entry;
        Live? live;
        lock (_gate)
        {
            _live.Remove(handle.Id, out live);
            entry = Append(FakeAction.Stop, live?.Workload, live?.Node, handle, null);
        }

        Observer?.Invoke(entry);
        live?.Exited.TrySetResult("killed by signal 15");
        return Task.CompletedTask;
    }

    public bool IsAlive(InstanceHandle handle) => Read(() => _live.ContainsKey(handle.Id));

    public IReadOnlyList<FoundInstance> Scan(EnvironmentModel model) => Read(() =>
        _live.Select(l => new FoundInstance(l.Value.Workload, l.Value.Node, new InstanceHandle(l.Key), l.Value.Started)).ToList());

    public Task<string?> CheckHealthAsync(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> placed, CancellationToken cancellationToken) =>
        Task.FromResult(Read(() =>
        {
            _healthChecks++;
            return _health.TryGetValue((workload.Name, node.Name, workload.Version), out var versioned) ? versioned
                : _health.GetValueOrDefault((workload.Name, node.Name, null));
        }));

    public Task<bool> FenceVipAsync(EnvironmentModel model, string node, IPAddress vip, CancellationToken cancellationToken)
    {
        FakeJournalEntry entry;
        bool held;
        lock (_gate)
        {
            held = _vips.Remove((node, vip));
            entry = Append(FakeAction.FenceVip, null, node, null, held ? $"{vip} removed" : $"{vip} not held");
        }

        Observer?.Invoke(entry);
        return Task.FromResult(held);
    }

    public Task WarmUpFenceAsync(EnvironmentModel model, BalancerModel balancer, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _warmUps++;
        }

        return Task.CompletedTask;
    }

    /// <summary>Ends the live instance of <paramref name="workload"/> on <paramref name="node"/> as a crash would; false when none runs.</summary>
    public bool Crash(string workload, string node, string how = "exited with code 1")
    {
        Live? live;
        lock (_gate)
        {
            var id = _live.FirstOrDefault(l => l.Value.Workload == workload && l.Value.Node == node).Key;
            if (id is null || !_live.Remove(id, out live))
            {
                return false;
            }
        }

        live.Exited.TrySetResult(how);
        return true;
    }

    /// <summary>The handle of the live instance of <paramref name="workload"/> on <paramref name="node"/>, or null.</summary>
    public InstanceHandle? LiveHandle(string workload, string node) => Read(() =>
        _live.Where(l => l.Value.Workload == workload && l.Value.Node == node).Select(l => new InstanceHandle(l.Key)).FirstOrDefault());

    /// <summary>Makes every start on <paramref name="node"/> throw (an <see cref="IOException"/> by default) until <see cref="ClearFailedStarts"/>.</summary>
    public void FailStarts(string node, Exception? error = null)
    {
        lock (_gate)
        {
            _failStarts[node] = error ?? new IOException($"cannot start on {node}: no such namespace");
        }
    }

    public void ClearFailedStarts(string node)
    {
        lock (_gate)
        {
            _failStarts.Remove(node);
        }
    }

    /// <summary>
    /// What health checks of <paramref name="workload"/> on <paramref name="node"/> answer: null for healthy (the
    /// default), else why not; for <paramref name="version"/> only when given.
    /// </summary>
    public void SetHealth(string workload, string node, string? problem, string? version = null)
    {
        lock (_gate)
        {
            _health[(workload, node, version)] = problem;
        }
    }

    /// <summary>
    /// Plants a running instance that no start of this fake made (a duplicate a killed daemon left behind, or an
    /// orphan with no record): <see cref="Scan"/> finds it until it is stopped. Returns its handle.
    /// </summary>
    public InstanceHandle Plant(string workload, string node, long started)
    {
        lock (_gate)
        {
            var handle = new InstanceHandle($"fake-{++_next}");
            _live[handle.Id] = new Live(workload, node, "planted", started, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
            return handle;
        }
    }

    /// <summary>Puts <paramref name="vip"/> on <paramref name="node"/>, as a leading balancer replica does.</summary>
    public void HoldVip(string node, IPAddress vip)
    {
        lock (_gate)
        {
            _vips.Add((node, vip));
        }
    }

    public bool HoldsVip(string node, IPAddress vip) => Read(() => _vips.Contains((node, vip)));

    private FakeJournalEntry Append(FakeAction action, string? workload, string? node, InstanceHandle? handle, string? detail)
    {
        var entry = new FakeJournalEntry(++_order, action, workload, node, handle, detail);
        _journal.Add(entry);
        return entry;
    }

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private sealed record Live(string Workload, string Node, string Version, long Started, TaskCompletionSource<string> Exited);
}
