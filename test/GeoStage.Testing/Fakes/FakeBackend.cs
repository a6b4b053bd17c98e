using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;

namespace GeoStage.Testing.Fakes;

/// <summary>
/// A fake <see cref="IEnvironmentBackend"/> for the control loop's unit tests: the environment is its state
/// in memory, saved through the <see cref="StateStore"/> as the real backend saves it; topology changes edit
/// the model only. <see cref="Check"/> answers the faults a test set, repairs and tunnel supervision are
/// recorded, and either can be told to throw.
/// Bringing an environment up or down and measuring it are the CLI's, never the loop's: they throw
/// <see cref="NotSupportedException"/>.
/// Concurrency: any thread; one lock guards the settings and counters.
/// </summary>
public sealed class FakeBackend : IEnvironmentBackend
{
    private readonly object _gate = new();
    private readonly StateStore _states;
    private readonly List<IReadOnlyList<Fault>> _repairs = [];
    private IReadOnlyList<Fault> _faults = [];
    private Exception? _checkThrows;
    private Exception? _superviseThrows;
    private int _checks;
    private int _supervisions;

    public FakeBackend(StateStore states)
    {
        _states = states;
    }

    public IHostNetworks HostNetworks { get; } = new NoHostNetworks();

    /// <summary>Calls of <see cref="SuperviseTunnelsAsync"/>, thrown or not: one per reconcile pass.</summary>
    public int Supervisions => Read(() => _supervisions);

    public int Checks => Read(() => _checks);

    /// <summary>The faults handed to each <see cref="RepairAsync"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyList<Fault>> Repairs => Read(() => _repairs.ToList());

    /// <summary>What <see cref="Check"/> finds from now on.</summary>
    public void SetFaults(params Fault[] faults)
    {
        lock (_gate)
        {
            _faults = faults;
        }
    }

    /// <summary>Makes <see cref="Check"/> throw <paramref name="error"/> from now on; null to stop.</summary>
    public void ThrowFromCheck(Exception? error)
    {
        lock (_gate)
        {
            _checkThrows = error;
        }
    }

    /// <summary>Makes <see cref="SuperviseTunnelsAsync"/> throw <paramref name="error"/> from now on; null to stop.</summary>
    public void ThrowFromSupervise(Exception? error)
    {
        lock (_gate)
        {
            _superviseThrows = error;
        }
    }

    public Task<UpResult> UpAsync(EnvironmentModel model, UpOptions options, IProgress<UpProgress> progress, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the control loop never brings an environment up");

    public Task DownAsync(EnvironmentState state, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the control loop never takes an environment down");

    public Task<ActualState> ReadAsync(EnvironmentState state, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the control loop never reads the actual state");

    public Task<Reachability> MeasureAsync(EnvironmentState state, MeasureOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the control loop never measures");

    public Task<Reachability> WaitNodeReachableAsync(EnvironmentModel model, string node, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the control loop never probes a node");

    public Task<EnvironmentState> AddNodeAsync(EnvironmentState state, NodeModel node, bool resuming, IProgress<string>? steps, CancellationToken cancellationToken) =>
        Task.FromResult(Save(state with { Model = state.Model with { Nodes = [.. state.Model.Nodes.Where(n => n.Name != node.Name), node] } }));

    public Task<EnvironmentState> RemoveNodeAsync(EnvironmentState state, string name, CancellationToken cancellationToken) =>
        Task.FromResult(Save(state with { Model = state.Model with { Nodes = [.. state.Model.Nodes.Where(n => n.Name != name)] } }));

    public Task<EnvironmentState> AddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, TimeSpan timeout, IProgress<string>? steps, CancellationToken cancellationToken)
    {
        var model = state.Model with
        {
            Sites = [.. state.Model.Sites.Where(s => s.Name != site.Name), site],
            Overlay = state.Model.Overlay with { Tunnels = [.. state.Model.Overlay.Tunnels, .. tunnels] },
        };
        steps?.Report("built");
        return Task.FromResult(Save(state with { Model = model }));
    }

    public Task<EnvironmentState> UndoAddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, CancellationToken cancellationToken) =>
        RemoveSiteAsync(state, site.Name, cancellationToken);

    public Task<EnvironmentState> RemoveSiteAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        var model = state.Model with
        {
            Sites = [.. state.Model.Sites.Where(s => s.Name != name)],
            Nodes = [.. state.Model.Nodes.Where(n => n.Site != name)],
            Overlay = state.Model.Overlay with { Tunnels = [.. state.Model.Overlay.Tunnels.Where(t => !t.Joins(name))] },
        };
        return Task.FromResult(Save(state with { Model = model }));
    }

    public bool SiteExists(EnvironmentState state, string site) => state.Model.Sites.Any(s => s.Name == site);

    public IReadOnlyList<Fault> Check(EnvironmentState state)
    {
        lock (_gate)
        {
            _checks++;
            return _checkThrows is { } error ? throw error : _faults;
        }
    }

    /// <summary>Repairs every fault handed to it (and records them); the faults <see cref="Check"/> finds stay as set.</summary>
    public Task<RepairResult> RepairAsync(EnvironmentState state, IReadOnlyList<Fault> faults, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _repairs.Add(faults);
        }

        return Task.FromResult(new RepairResult(state, faults, [.. faults.Select(f => new RepairAction(f, "recreated", null, TimeSpan.Zero))]));
    }

    public Task<TunnelSupervision> SuperviseTunnelsAsync(EnvironmentState state, IReadOnlyCollection<Fault> open, CancellationToken cancellationToken)
    {
        Exception? error;
        lock (_gate)
        {
            _supervisions++;
            error = _superviseThrows;
        }

        return error is not null ? Task.FromException<TunnelSupervision>(error) : Task.FromResult(new TunnelSupervision(state, []));
    }

    private EnvironmentState Save(EnvironmentState state)
    {
        _states.Save(state);
        return state;
    }

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    /// <summary>A host with no networks of its own: nothing an environment's addresses could overlap.</summary>
    private sealed class NoHostNetworks : IHostNetworks
    {
        public IReadOnlyList<HostNetwork> Read() => [];
    }
}
