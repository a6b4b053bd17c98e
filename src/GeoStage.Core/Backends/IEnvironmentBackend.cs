using GeoStage.Core.Model;
using GeoStage.Core.State;

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

    /// <summary>How long to wait for every pair to become reachable through the overlay.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

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

/// <summary>The narrow seam between the CLI (later the control daemon) and a place environments run.</summary>
public interface IEnvironmentBackend
{
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
}
