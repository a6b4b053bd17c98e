using System.Diagnostics;
using GeoStage.Core.Backends;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Overlay.OpenVpn;

namespace GeoStage.Local;

/// <summary>An environment refused before anything was created, with what to do about it.</summary>
public sealed class EnvironmentConflictException : Exception
{
    public EnvironmentConflictException(string message)
        : base(message)
    {
    }

    public EnvironmentConflictException()
    {
    }

    public EnvironmentConflictException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The one-machine backend: every router and node is a network namespace, every site LAN and the WAN a
/// bridge in the environment's fabric namespace, the overlay's tunnel ends (OpenVPN processes today)
/// executed on the routers as their overlay driver plans them (<see cref="DriverOf"/>).
/// Nothing is added to the root namespace but the namespaces' names under /run/netns.
/// </summary>
public sealed partial class LocalBackend : IEnvironmentBackend
{
    private readonly StateStore _store;
    private readonly TimeProvider _time;

    // Programs of overlay drivers run from a given path rather than by name (tests pass stand-ins).
    private readonly Dictionary<string, string> _programs = new(StringComparer.Ordinal);

    /// <param name="openVpn">The OpenVPN program to run instead of the one on the PATH (or GEOSTAGE_OPENVPN).</param>
    public LocalBackend(StateStore store, TimeProvider time, string? openVpn = null)
    {
        _store = store;
        _time = time;
        if (openVpn is not null)
        {
            _programs[OpenVpnDriver.Program] = openVpn;
        }
    }

    public async Task<UpResult> UpAsync(EnvironmentModel model, UpOptions options, IProgress<UpProgress> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        void Report(string step, string detail) => progress.Report(new UpProgress(step, detail, clock.Elapsed));

        Preflight(model);
        var state = new EnvironmentState
        {
            Name = model.Name,
            Phase = EnvironmentPhase.Building,
            Model = model,
            SpecFile = options.SpecFile,
            CreatedAt = _time.GetUtcNow(),
            Namespaces = LocalNames.All(model),
        };
        _store.Save(state);
        var started = new List<Process>();
        try
        {
            Report("namespaces", $"{state.Namespaces.Count} namespaces");
            await Ip.BatchAsync(null, state.Namespaces.Select(ns => $"netns add {ns}"), cancellationToken).ConfigureAwait(false);
            await TestPause.AtAsync("up-namespaces", cancellationToken).ConfigureAwait(false);

            Report("links", $"{model.Sites.Count + 1} bridges, {model.Sites.Count * 2 + model.Nodes.Count} veth pairs");
            await BuildLinksAsync(model, cancellationToken).ConfigureAwait(false);
            await TestPause.AtAsync("up-links", cancellationToken).ConfigureAwait(false);

            // The tunnels handshake while the sites are probed in isolation: their routes are added only
            // after the "before" matrix, so until then no router knows a way to another site.
            Report("overlay", $"{model.Overlay.Tunnels.Count} {DriverOf(model).DisplayName} tunnels, {(IsSiteScoped(model) ? model.Sites.Count : model.Overlay.Tunnels.Count * 2)} processes");
            state = await StartOverlayAsync(state, started, cancellationToken).ConfigureAwait(false);
            await TestPause.AtAsync("up-overlay", cancellationToken).ConfigureAwait(false);

            Reachability? before = null;
            if (options.MeasureBefore)
            {
                Report("before", "probing every pair without the overlay");
                before = await ProbeAllAsync(model, overlay: false, IsolationOf(model), cancellationToken).ConfigureAwait(false);
            }

            await TestPause.AtAsync("up-before", cancellationToken).ConfigureAwait(false);

            await ChangeTunnelRoutesAsync(model, "add", cancellationToken).ConfigureAwait(false);
            var pairs = model.Nodes.Count * (model.Nodes.Count - 1);
            var ready = options.ReadyTimeout ?? UpOptions.ScaledReadyTimeout(pairs);
            Report("reach", $"waiting until {pairs} pairs are reachable (at most {ready.TotalSeconds:0.#} s)");
            var after = await WaitReachableAsync(state, started, ready, options.ReadyTimeout is null, cancellationToken).ConfigureAwait(false);
            await TestPause.AtAsync("up-reach", cancellationToken).ConfigureAwait(false);

            // Recorded Up with nothing awaited after it: a cancellation from here on reaches the caller,
            // which decides (up: until its daemon runs) whether to remove the environment again.
            state = state with { Phase = EnvironmentPhase.Up, ReadyAt = _time.GetUtcNow() };
            _store.Save(state);
            return new UpResult(state, before, after, clock.Elapsed);
        }
        catch (Exception failure)
        {
            Report("rollback", failure is OperationCanceledException ? "cancelled; removing what was created" : failure.Message);
            await RollBackAsync(state, failure).ConfigureAwait(false);
            throw;
        }
        finally
        {
            foreach (var process in started)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// The matrix without the overlay: pairs within a site answer at once, the others never, so a pair
    /// within a site is asked again (a single lost or late reply on a loaded machine must not show two nodes
    /// of one site as cut off), a pair across sites once (see <see cref="ProbeSettings"/>).
    /// </summary>
    private static ProbeSettings IsolationOf(EnvironmentModel model) =>
        new(UntilWithin: UpOptions.ScaledReadyTimeout(model.Nodes.Count * (model.Nodes.Count - 1)), Rate: SweepRate, Isolation: true);

    /// <summary>
    /// Requests per second of up's sweeps (one request per pair, again only to the unanswered): they decide
    /// reachability, not RTTs, which 'reach' measures at its gentler <see cref="MeasureOptions.Rate"/>.
    /// </summary>
    /// <remarks>
    /// Measured at 500 nodes: the isolation sweep (249,500 requests) took 5.8 s at 50,000/s and 4.9 s at
    /// 150,000/s: sending from 500 namespaces is CPU-bound near 50,000/s on two cores, so a higher cap buys little.
    /// </remarks>
    internal const double SweepRate = 50_000;

    /// <summary>
    /// Requests of one source waiting for their reply at once in the sweep through the overlay (not in
    /// isolation, where most never answer): 8 per node is 8,000 at 1,000 nodes, enough for 50,000/s at 160 ms.
    /// </summary>
    internal const int SweepWindow = 8;

    /// <summary>How long a sweep's unanswered pair waits before it is asked again (doubling from here).</summary>
    internal static TimeSpan SweepRetry => TimeSpan.FromMilliseconds(250);

    /// <summary>Refuses, before touching anything, what would clash with the machine as it is.</summary>
    private void Preflight(EnvironmentModel model)
    {
        var overlay = DriverOf(model).RequiredTools;
        string[] tools = ["ip", .. overlay.Select(ProgramOf), "nsenter", "setsid"];
        var missing = tools.Where(t => Which(t) is null).ToList();
        if (missing.Count > 0)
        {
            throw new EnvironmentConflictException($"missing tools: {string.Join(", ", missing)}; install them (apt-get install --no-install-recommends {string.Join(' ', overlay.Select(PackageOf))} iproute2 util-linux) or run ./geostage, which does");
        }

        if (_store.Load(model.Name) is { } existing)
        {
            throw new EnvironmentConflictException(existing.Phase == EnvironmentPhase.Up
                ? $"environment '{model.Name}' is already up (since {existing.ReadyAt:u}); run 'geostage down --name {model.Name}' first"
                : $"environment '{model.Name}' has leftovers of an interrupted up; run 'geostage down --name {model.Name}' to remove them");
        }

        var present = Ip.ListNamespaces();
        var taken = LocalNames.All(model).Where(present.Contains).ToList();
        if (taken.Count > 0)
        {
            throw new EnvironmentConflictException($"network namespace {taken[0]} already exists{(taken.Count > 1 ? $" (and {taken.Count - 1} more)" : "")} and does not belong to a GeoStage environment named '{model.Name}'; remove it or rename the environment");
        }
    }

    private async Task RollBackAsync(EnvironmentState state, Exception failure)
    {
        try
        {
            await DownAsync(state, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception rollback)
        {
            // Keep the state so that 'down' can finish; say both what failed and what is left.
            _store.Save(state with { Phase = EnvironmentPhase.Failed, Error = $"{failure.Message}; rollback failed: {rollback.Message}" });
            throw new AggregateException($"up failed ({failure.Message}) and so did its rollback ({rollback.Message}); run 'geostage down --name {state.Name}'", failure, rollback);
        }
    }

    // The default PATH after the caller's: a user's PATH often lacks the sbin directories that ip lives in.
    internal static string? Which(string tool) =>
        ExternalProgram.Find(tool, $"{Environment.GetEnvironmentVariable("PATH")}:{ExternalProgram.DefaultPath}", out _);
}
