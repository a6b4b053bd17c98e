using System.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Overlay.OpenVpn;
using GeoStage.Overlay.Pki;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>Generates each site's credentials, writes every endpoint's config, starts two OpenVPN processes per tunnel.</summary>
    private Task<EnvironmentState> StartOverlayAsync(EnvironmentState state, List<Process> started, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var dir = _store.EnsureDirectory(model.Name, "overlay");
        var credentials = model.Sites.AsParallel().Select(s => SiteCredentials.Generate(model.Name, s.Name, _time)).ToList();
        foreach (var credential in credentials)
        {
            credential.WriteTo(dir);
        }

        return Task.FromResult(StartTunnels(state, model.Overlay.Tunnels, started, cancellationToken));
    }

    /// <summary>Starts both ends of each of <paramref name="tunnels"/>; credentials are read from the overlay directory, each tunnel gets a new tls-crypt key.</summary>
    private EnvironmentState StartTunnels(EnvironmentState state, IEnumerable<TunnelModel> tunnels, List<Process> started, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var dir = _store.EnsureDirectory(model.Name, "overlay");
        var logs = _store.EnsureDirectory(model.Name, "logs");
        var fingerprints = new Dictionary<string, string>();
        string Fingerprint(string site) => fingerprints.TryGetValue(site, out var f) ? f : fingerprints[site] = SiteCredentials.FingerprintIn(dir, site);

        var records = state.Processes.ToList();
        foreach (var tunnel in tunnels)
        {
            // New for each tunnel started here (up, site add); the control loop restarts ends from their configs and
            // so keeps the key. Both ends share it: see TlsCryptKey for why that is sound while both live here.
            var tlsCryptKey = TlsCryptKey.WriteNew(dir, tunnel);
            foreach (var (siteName, peerName) in new[] { (tunnel.Server, tunnel.Client), (tunnel.Client, tunnel.Server) })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var endpoint = new OpenVpnEndpoint
                {
                    Tunnel = tunnel,
                    Site = model.Site(siteName),
                    Peer = model.Site(peerName),
                    Device = LocalNames.Tunnel(tunnel, siteName),
                    CertificateFile = Path.Combine(dir, $"{siteName}.crt"),
                    KeyFile = Path.Combine(dir, $"{siteName}.key"),
                    PeerFingerprint = Fingerprint(peerName),
                    TlsCryptKeyFile = tlsCryptKey,
                };
                var config = endpoint.WriteTo(dir);
                var log = Path.Combine(logs, $"openvpn-{siteName}-{peerName}.log");
                var ns = LocalNames.Router(model.Name, siteName);
                // An OpenVPN that dies at once can be reaped before its start time is read: say which tunnel it was,
                // as the watchdog does for one that dies a moment later.
                Process process;
                ProcessRecord record;
                try
                {
                    (process, record) = ProcessLauncher.Start(TunnelRole, ns, [_openVpn, "--config", config], log);
                }
                catch (ToolException e)
                {
                    throw new ToolException($"OpenVPN for tunnel {siteName}->{peerName} did not start: {e.Message}", e);
                }

                started.Add(process);
                records.Add(record with { Site = siteName, Peer = peerName, Interface = endpoint.Device });

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
    private async Task<Reachability> WaitReachableAsync(EnvironmentState state, List<Process> started, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = WatchProcessesAsync(state, started, watch);
        Reachability? found = null;
        try
        {
            found = await ProbeAllAsync(state.Model, overlay: true, new ProbeSettings(UntilWithin: timeout), watch.Token).ConfigureAwait(false);
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
            throw new TimeoutException($"{missing.Count} of {found.Total} pairs still unreachable after {timeout.TotalSeconds:0.#} s ({sample}{(missing.Count > 5 ? ", …" : "")}); see the OpenVPN logs in {_store.DirectoryOf(state.Name)}/logs");
        }

        return found;
    }

    /// <summary>
    /// Returns why a tunnel process died, cancelling <paramref name="probing"/> so that up fails at once
    /// rather than at its timeout; null when probing finished with all alive.
    /// </summary>
    private static async Task<string?> WatchProcessesAsync(EnvironmentState state, List<Process> started, CancellationTokenSource probing)
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
                        return $"OpenVPN for tunnel {record.Site}->{record.Peer} exited with code {started[i].ExitCode}: {last ?? "no output"} (log: {record.LogFile})";
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
