using GeoStage.Core.Processes;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Local.Probing;

namespace GeoStage.Local;

/// <summary>
/// How to probe: a fixed count per pair, or until each pair answers within a time. <paramref name="Isolation"/>
/// (wait mode, overlay held down): pairs within a site are asked up to three times, a pair across sites once,
/// because only the first are expected to answer: a lost reply must not show two nodes of one site as cut
/// off, while a leak between sites would answer the first request as well as any other. At 1,000 nodes this
/// is 999,000 requests instead of ten times that.
/// </summary>
internal sealed record ProbeSettings(int Count = 3, TimeSpan? Timeout = null, TimeSpan? UntilWithin = null, double Rate = IcmpProber.DefaultRate, bool Isolation = false);

public sealed partial class LocalBackend
{
    public async Task<Reachability> MeasureAsync(EnvironmentState state, MeasureOptions options, CancellationToken cancellationToken)
    {
        if (options.Overlay)
        {
            return await ProbeAllAsync(state.Model, overlay: true, new ProbeSettings(Count: options.Count, Rate: options.Rate), cancellationToken).ConfigureAwait(false);
        }

        // Hold the overlay down by taking the tunnel routes out of every router: exactly the state before
        // the overlay existed. They go back even when probing fails or is cancelled.
        // The daemon's device check would see the routes gone and put them back mid-measurement: the mark
        // (this process's pid and start time) tells it they are out on purpose, for as long as we live.
        var model = state.Model;
        var held = OverlayHeldFile(state.Name);
        await File.WriteAllTextAsync(held, $"{Environment.ProcessId} {ProcTable.StartTicks(Environment.ProcessId)}\n", cancellationToken).ConfigureAwait(false);
        try
        {
            await ChangeTunnelRoutesAsync(model, "del", cancellationToken).ConfigureAwait(false);
            return await ProbeAllAsync(model, overlay: false, IsolationOf(model) with { Rate = options.Rate }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // "replace": a route already back (put there by hand, or by a repair) is no error.
            await ChangeTunnelRoutesAsync(model, "replace", CancellationToken.None).ConfigureAwait(false);
            File.Delete(held);
        }
    }

    private string OverlayHeldFile(string environment) => Path.Combine(_store.DirectoryOf(environment), "overlay-held");

    /// <summary>True while a live <c>reach --without-overlay</c> holds the tunnels' routes out (its mark names it).</summary>
    private bool OverlayHeldDown(string environment)
    {
        try
        {
            var fields = File.ReadAllText(OverlayHeldFile(environment)).Split(' ', StringSplitOptions.TrimEntries);
            return fields.Length == 2
                && int.TryParse(fields[0], System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && ulong.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ProcTable.IsAlive(pid, ticks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async Task<ActualState> ReadAsync(EnvironmentState state, CancellationToken cancellationToken)
    {
        var present = Ip.ListNamespaces();
        var namespaces = state.Namespaces.ToDictionary(ns => ns, present.Contains);
        var driver = DriverOf(state.Model);
        var ends = IsSiteScoped(state.Model)
            ? SiteScopedEnds(state)
            : [.. TunnelEnds(state).Where(p => p.Site is not null && p.Peer is not null).Select(p => (Site: p.Site!, Peer: p.Peer!, p.Namespace, Interface: p.Interface ?? "", Record: (ProcessRecord?)p))];

        // A tunnel is up when its router reaches the peer router's LAN address through it, now.
        var targets = ends
            .Where(p => present.Contains(p.Namespace))
            .Select(p => new ProbeTarget(p.Site, p.Namespace, p.Peer, state.Model.Site(p.Peer).Gateway))
            .ToList();
        var probes = await IcmpProber.ProbeAsync(targets, new ProbeOptions { Count = 2, Interval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(1) }, cancellationToken).ConfigureAwait(false);
        var reached = probes.Where(p => p.Reachable).Select(p => (p.Target.From, p.Target.To)).ToHashSet();
        // An end without a process (a kernel WireGuard interface) is alive while reached.
        var tunnels = ends.Select(p => new TunnelStatus(
            p.Site,
            p.Peer,
            p.Interface,
            driver.Name,
            p.Record?.Pid,
            p.Record is null || IsEndAlive(p.Record),
            (p.Record is null || IsEndAlive(p.Record)) && reached.Contains((p.Site, p.Peer)))).ToList();
        return new ActualState(namespaces, tunnels) { Faults = FindFaults(state) };
    }

    private async Task<Reachability> ProbeAllAsync(EnvironmentModel model, bool overlay, ProbeSettings settings, CancellationToken cancellationToken)
    {
        var targets = (from source in model.Nodes
                       from destination in model.Nodes
                       where source.Name != destination.Name
                       select new ProbeTarget(source.Name, LocalNames.Node(model.Name, source.Name), destination.Name, destination.Address)
                       {
                           MaxAttempts = settings.Isolation ? (source.Site == destination.Site ? 3 : 1) : null,
                       }).ToList();
        var options = new ProbeOptions
        {
            Count = settings.Count,
            Timeout = settings.Timeout ?? TimeSpan.FromSeconds(1),
            Interval = settings.UntilWithin is null ? TimeSpan.FromMilliseconds(20) : SweepRetry,
            UntilReachableWithin = settings.UntilWithin,
            Window = settings.UntilWithin is not null && !settings.Isolation ? SweepWindow : null,
            Rate = settings.Rate,
        };
        var results = await IcmpProber.ProbeAsync(targets, options, cancellationToken).ConfigureAwait(false);
        return ToReachability(model, overlay, results);
    }

    private Reachability ToReachability(EnvironmentModel model, bool overlay, IReadOnlyList<ProbeResult> results)
    {
        var sites = model.Nodes.ToDictionary(n => n.Name, n => n.Site);
        return new Reachability
        {
            Environment = model.Name,
            Overlay = overlay,
            MeasuredAt = _time.GetUtcNow(),
            Pairs = [.. results.Select(r => new ReachPair
            {
                From = r.Target.From,
                To = r.Target.To,
                FromSite = sites[r.Target.From],
                ToSite = sites[r.Target.To],
                Reachable = r.Reachable,
                RttMs = r.RttMs,
                MinRttMs = r.MinRttMs,
                MaxRttMs = r.MaxRttMs,
                Sent = r.Sent,
                Received = r.Received,
                Ttl = r.Ttl,
            })],
        };
    }

    private static Task ChangeTunnelRoutesAsync(EnvironmentModel model, string verb, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            model.Sites,
            cancellationToken,
            async (site, ct) =>
            {
                var routes = model.Overlay.Tunnels.Where(t => t.Joins(site.Name)).SelectMany(t => TunnelRoutes(model, site, t, verb)).ToList();
                if (routes.Count > 0)
                {
                    await Ip.BatchAsync(LocalNames.Router(model.Name, site.Name), routes, ct).ConfigureAwait(false);
                }
            });
}
