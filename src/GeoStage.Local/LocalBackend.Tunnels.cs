using GeoStage.Core.Backends;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    private static readonly TimeSpan s_tunnelRestartGap = TimeSpan.FromSeconds(2);

    // When each tunnel end was last restarted by the daemon (by the PID it got): at most one restart per gap.
    private readonly Dictionary<int, DateTimeOffset> _tunnelRestarts = [];
    private readonly Lock _checking = new();
    private LogGrowth? _logGrowth;

    public IHostNetworks HostNetworks { get; } = new HostRoutes();

    public bool SiteExists(EnvironmentState state, string site) => Ip.Exists(LocalNames.Router(state.Name, site));

    /// <summary>The daemon's check: <see cref="FindFaults"/> with flooding logs measured since the previous check.</summary>
    public IReadOnlyList<Fault> Check(EnvironmentState state)
    {
        lock (_checking)
        {
            _logGrowth ??= new LogGrowth(_time);
            return FindFaults(state, _logGrowth);
        }
    }

    /// <summary>
    /// Restarts each tunnel end's process that died (OpenVPN's), with its recorded command, at most once per
    /// gap; not while its tun device or its router's WAN leg is missing (<paramref name="open"/>): restarted
    /// before the repair, OpenVPN would create a bare tun device of its own (down, without its route) or
    /// fail to bind and be restarted again every gap.
    /// </summary>
    public Task<TunnelSupervision> SuperviseTunnelsAsync(EnvironmentState state, IReadOnlyCollection<Fault> open, CancellationToken cancellationToken)
    {
        if (IsSiteScoped(state.Model))
        {
            return SuperviseSiteInterfacesAsync(state, open, cancellationToken);
        }

        var now = _time.GetUtcNow();
        var driver = DriverOf(state.Model);
        var processes = state.Processes.ToList();
        var restarted = new List<TunnelRestart>();
        lock (_checking)
        {
            foreach (var record in DeadEndsDue(state, open, now))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (process, started) = ProcessLauncher.Start(record.Role, record.Namespace, record.Command, record.LogFile);
                process.Dispose();
                _tunnelRestarts[started.Pid] = now;
                processes[processes.IndexOf(record)] = started with { Site = record.Site, Peer = record.Peer, Interface = record.Interface };
                restarted.Add(new TunnelRestart(record.Site ?? "?", record.Peer ?? "?", driver.DisplayName, $"pid {record.Pid}", $"pid {started.Pid}", record.Command));
            }
        }

        if (restarted.Count == 0)
        {
            return Task.FromResult(new TunnelSupervision(state, []));
        }

        var next = state with { Processes = processes };
        _store.Save(next);
        return Task.FromResult(new TunnelSupervision(next, restarted));
    }

    /// <summary>
    /// The tunnel ends whose process died and may be restarted now: not waiting for the repair of an open
    /// fault, and not restarted by the daemon within the gap. The caller holds <see cref="_checking"/>.
    /// </summary>
    private List<ProcessRecord> DeadEndsDue(EnvironmentState state, IReadOnlyCollection<Fault> open, DateTimeOffset now) =>
        [.. TunnelEnds(state).Where(r => !IsEndAlive(r) && !AwaitsRepair(r, open)
            && !(_tunnelRestarts.TryGetValue(r.Pid, out var last) && now - last < s_tunnelRestartGap))];

    private static bool AwaitsRepair(ProcessRecord record, IReadOnlyCollection<Fault> open) =>
        open.Any(f => f.Kind == FaultKind.Missing && f.Namespace == record.Namespace
            && (f.Device == record.Interface || f.Device == LocalNames.RouterWan));
}
