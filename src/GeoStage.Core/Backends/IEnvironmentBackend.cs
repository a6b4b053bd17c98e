using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;

namespace GeoStage.Core.Backends;

/// <summary>One step of bringing an environment up, reported as it happens.</summary>
public sealed record UpProgress(string Step, string Detail, TimeSpan Elapsed);

public sealed record MeasureOptions
{
    public bool Overlay { get; init; } = true;

    /// <summary>Echo requests per pair.</summary>
    public int Count { get; init; } = 3;

    /// <summary>
    /// Requests per second, all pairs together. Measured RTTs include queueing in the tunnels' userspace
    /// processes, so a gentle rate keeps them honest; 5,000/s measures 9,900 pairs three times in 6 s.
    /// </summary>
    public double Rate { get; init; } = 5_000;
}

public sealed record UpOptions
{
    public string? SpecFile { get; init; }

    /// <summary>How long to wait for every pair to become reachable through the overlay; null: <see cref="ScaledReadyTimeout"/>.</summary>
    public TimeSpan? ReadyTimeout { get; init; }

    /// <summary>
    /// The default wait for <paramref name="pairs"/> ordered pairs: a minute, plus a second for every
    /// 10,000 pairs (one request each at a pace a loaded machine keeps): 61 s for 100 nodes, 160 s for 1,000.
    /// </summary>
    public static TimeSpan ScaledReadyTimeout(int pairs) => TimeSpan.FromSeconds(60 + (pairs / 10_000.0));

    /// <summary>Measure the matrix before the overlay starts, to show the sites' isolation.</summary>
    public bool MeasureBefore { get; init; } = true;
}

/// <summary>The outcome of a successful up: the state, and the matrix before and after the overlay.</summary>
public sealed record UpResult(EnvironmentState State, Reachability? Before, Reachability After, TimeSpan Elapsed);

/// <summary>What a backend reports of an environment as it actually is, not as it was planned.</summary>
public sealed record ActualState(
    IReadOnlyDictionary<string, bool> Namespaces,
    IReadOnlyList<TunnelStatus> Tunnels)
{
    /// <summary>Devices and routes of present namespaces that are not as built.</summary>
    public IReadOnlyList<Fault> Faults { get; init; } = [];
}

public sealed record TunnelStatus(
    string Site,
    string Peer,
    string Interface,
    string Backend,
    int? Pid,
    bool ProcessAlive,
    bool Up);

/// <summary>
/// A place environments run, as the control plane sees it: everything the CLI and the daemon ask of it.
/// The local backend (network namespaces on this machine) is one implementation; a place with real sites
/// or a cluster is another. Every method that changes the environment returns the new state, already saved.
/// </summary>
public interface IEnvironmentBackend
{
    /// <summary>The networks an environment's addresses must stay out of (locally, this host's own routes).</summary>
    IHostNetworks HostNetworks { get; }

    /// <summary>
    /// Creates the environment and waits until every node reaches every other; on failure or
    /// cancellation removes what it created and rethrows.
    /// </summary>
    Task<UpResult> UpAsync(EnvironmentModel model, UpOptions options, IProgress<UpProgress> progress, CancellationToken cancellationToken);

    /// <summary>Removes everything <paramref name="state"/> records; safe to call again.</summary>
    Task DownAsync(EnvironmentState state, CancellationToken cancellationToken);

    Task<ActualState> ReadAsync(EnvironmentState state, CancellationToken cancellationToken);

    /// <summary>Probes every ordered pair of nodes now; with <see cref="MeasureOptions.Overlay"/> false, the overlay is held down meanwhile.</summary>
    Task<Reachability> MeasureAsync(EnvironmentState state, MeasureOptions options, CancellationToken cancellationToken);

    /// <summary>Probes from <paramref name="node"/> to every other node and back until all answer, or the timeout.</summary>
    Task<Reachability> WaitNodeReachableAsync(EnvironmentModel model, string node, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a node, reporting each step done to <paramref name="steps"/>. With <paramref name="resuming"/>,
    /// finishes an add a crash interrupted (every step repeatable). Fails whole: what it made is removed.
    /// </summary>
    Task<EnvironmentState> AddNodeAsync(EnvironmentState state, NodeModel node, bool resuming, IProgress<string>? steps, CancellationToken cancellationToken);

    Task<EnvironmentState> RemoveNodeAsync(EnvironmentState state, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a site with <paramref name="tunnels"/> to existing sites and waits until its nodes reach every
    /// other node; reports "built" to <paramref name="steps"/> once it is complete. Fails whole.
    /// </summary>
    Task<EnvironmentState> AddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, TimeSpan timeout, IProgress<string>? steps, CancellationToken cancellationToken);

    /// <summary>Removes whatever an interrupted site add of <paramref name="site"/> made; safe when it made nothing.</summary>
    Task<EnvironmentState> UndoAddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, CancellationToken cancellationToken);

    Task<EnvironmentState> RemoveSiteAsync(EnvironmentState state, string name, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="site"/>'s router exists (an interrupted site add that got to "built" is kept only then).</summary>
    bool SiteExists(EnvironmentState state, string site);

    /// <summary>
    /// The daemon's periodic check of devices, routes and tunnel processes: what is not as built now.
    /// Called every check by one caller; rates (a flooding log) are measured between calls.
    /// </summary>
    IReadOnlyList<Fault> Check(EnvironmentState state);

    /// <summary>Repairs <paramref name="faults"/>; the result's state records any process restarted.</summary>
    Task<RepairResult> RepairAsync(EnvironmentState state, IReadOnlyList<Fault> faults, CancellationToken cancellationToken);

    /// <summary>
    /// Restarts the tunnel ends whose process died (at most once per end every few seconds), except those
    /// waiting for the repair of an <paramref name="open"/> fault that would make them fail again.
    /// </summary>
    Task<TunnelSupervision> SuperviseTunnelsAsync(EnvironmentState state, IReadOnlyCollection<Fault> open, CancellationToken cancellationToken);
}

/// <summary>One tunnel end restarted by the daemon: which, and what ran before and runs now (for people).</summary>
public sealed record TunnelRestart(string Site, string Peer, string Overlay, string Was, string Now, IReadOnlyList<string> Command);

/// <summary>The state after supervision, and the ends restarted.</summary>
public sealed record TunnelSupervision(EnvironmentState State, IReadOnlyList<TunnelRestart> Restarted);
