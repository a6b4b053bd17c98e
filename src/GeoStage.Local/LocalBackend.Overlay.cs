using System.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>Creates each site's keys, writes every end's files, starts each end's process (two per tunnel for OpenVPN).</summary>
    private Task<EnvironmentState> StartOverlayAsync(EnvironmentState state, List<Process> started, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var driver = DriverOf(model);
        var dir = _store.EnsureDirectory(model.Name, "overlay");
        model.Sites.AsParallel().ForAll(s => driver.CreateSiteKeys(dir, model.Name, s.Name, _time));
        if (IsSiteScoped(model))
        {
            // Routes go in after the "before" matrix, as for tunnel ends.
            return StartSiteInterfacesAsync(state, [.. model.Sites.Select(s => s.Name)], withRoutes: false, started, cancellationToken);
        }

        return Task.FromResult(StartTunnels(state, model.Overlay.Tunnels, started, cancellationToken));
    }

    /// <summary>
    /// Executes both ends' plans of each of <paramref name="tunnels"/>, but their devices and routes (made
    /// with the router's links): site keys are read from the overlay directory, each tunnel gets new shared keys.
    /// </summary>
    private EnvironmentState StartTunnels(EnvironmentState state, IEnumerable<TunnelModel> tunnels, List<Process> started, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var driver = DriverOf(model);
        var dir = _store.EnsureDirectory(model.Name, "overlay");
        var logs = _store.EnsureDirectory(model.Name, "logs");
        var publicKeys = new Dictionary<string, string>();
        string PublicKey(string site) => publicKeys.TryGetValue(site, out var k) ? k : publicKeys[site] = driver.ReadPublicKey(dir, site);

        var records = state.Processes.ToList();
        foreach (var tunnel in tunnels)
        {
            // New for each tunnel started here (up, site add); the control loop restarts ends from their
            // configs and so keeps them.
            driver.CreateTunnelKeys(dir, tunnel);
            foreach (var (siteName, peerName) in new[] { (tunnel.Server, tunnel.Client), (tunnel.Client, tunnel.Server) })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = EndOf(model, tunnel, siteName);
                var plan = driver.Plan(end, new TunnelEndInputs(dir, logs, PublicKey(peerName)));
                if (Prepare(plan) is not { } command)
                {
                    continue;
                }

                var ns = LocalNames.Router(model.Name, siteName);
                // A process that dies at once can be reaped before its start time is read: say which tunnel it
                // was, as the watchdog does for one that dies a moment later.
                Process process;
                ProcessRecord record;
                try
                {
                    (process, record) = ProcessLauncher.Start(driver.Name, ns, command, plan.Process!.LogFile);
                }
                catch (ToolException e)
                {
                    throw new ToolException($"{driver.DisplayName} for tunnel {siteName}->{peerName} did not start: {e.Message}", e);
                }

                started.Add(process);
                records.Add(record with { Site = siteName, Peer = peerName, Interface = end.Device });

                // Recorded at once, so that a crash right after still leaves down a PID to end.
                state = state with { Processes = [.. records] };
                _store.Save(state);
            }
        }

        return state;
    }

    /// <summary>
    /// Probes every pair until all answer or <paramref name="timeout"/> passes; fails fast, with the last
    /// line of its log, when a tunnel process exits meanwhile.
    /// </summary>
    private async Task<Reachability> WaitReachableAsync(EnvironmentState state, List<Process> started, TimeSpan timeout, bool scaled, CancellationToken cancellationToken)
    {
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = WatchProcessesAsync(state, started, DriverOf(state.Model).DisplayName, watch);
        Reachability? found = null;
        try
        {
            found = await ProbeAllAsync(state.Model, overlay: true, new ProbeSettings(UntilWithin: timeout, Rate: SweepRate), watch.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the watchdog cancels without the caller: a tunnel process died; its reason follows.
        }

        await watch.CancelAsync().ConfigureAwait(false);
        if (await watchdog.ConfigureAwait(false) is { } dead)
        {
            throw new ToolException(dead);
        }

        if (found is null)
        {
            throw new InvalidOperationException("probing stopped without a result");
        }

        if (!found.All)
        {
            var missing = found.Pairs.Where(p => !p.Reachable).ToList();
            var sample = string.Join(", ", missing.Take(5).Select(p => $"{p.From}->{p.To}"));
            var limit = scaled ? $"{timeout.TotalSeconds:0.#} s (scaled for {found.Total} pairs; --timeout sets another)" : $"{timeout.TotalSeconds:0.#} s";
            throw new TimeoutException($"{missing.Count} of {found.Total} pairs still unreachable after {limit} ({sample}{(missing.Count > 5 ? ", …" : "")}); see the {DriverOf(state.Model).DisplayName} logs in {_store.DirectoryOf(state.Name)}/logs");
        }

        return found;
    }

    /// <summary>
    /// Returns why a tunnel process died, cancelling <paramref name="probing"/> so that up fails at once
    /// rather than at its timeout; null when probing finished with all alive.
    /// </summary>
    private static async Task<string?> WatchProcessesAsync(EnvironmentState state, List<Process> started, string overlay, CancellationTokenSource probing)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await ticker.WaitForNextTickAsync(probing.Token).ConfigureAwait(false))
            {
                for (var i = 0; i < started.Count; i++)
                {
                    if (started[i].HasExited)
                    {
                        var record = state.Processes.FirstOrDefault(p => p.Pid == started[i].Id) ?? state.Processes[i];
                        var last = File.Exists(record.LogFile) ? File.ReadLines(record.LogFile).LastOrDefault(l => l.Trim().Length > 0) : null;
                        await probing.CancelAsync().ConfigureAwait(false);
                        var what = record.Peer is null ? $"site {record.Site}" : $"tunnel {record.Site}->{record.Peer}";
                        return $"{overlay} for {what} exited with code {started[i].ExitCode}: {last ?? "no output"} (log: {record.LogFile})";
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Probing finished.
        }

        return null;
    }
}
