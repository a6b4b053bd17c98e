using GeoStage.Core.Overlay;
using System.Diagnostics;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

/// <summary>Restarting a per-site interface (WireGuard): for supervision and for repairs.</summary>
public sealed partial class LocalBackend
{
    private static readonly TimeSpan s_deviceGone = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <see cref="SuperviseTunnelsAsync"/> for a per-site overlay: each site whose process died is restarted
    /// and configured again (a new wireguard-go starts blank), at most once per gap, not while its router's
    /// WAN leg is missing.
    /// </summary>
    private async Task<TunnelSupervision> SuperviseSiteInterfacesAsync(EnvironmentState state, IReadOnlyCollection<Fault> open, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var driver = DriverOf(state.Model);
        List<ProcessRecord> dead;
        lock (_checking)
        {
            dead = [.. DeadEndsDue(state, open, now).Where(r => r.Site is not null)];
        }

        var restarted = new List<TunnelRestart>();
        foreach (var record in dead)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (state, _) = await RestartSiteInterfaceAsync(state, record.Site!, cancellationToken).ConfigureAwait(false);
            var started = TunnelEnds(state).Single(p => p.Site == record.Site);
            lock (_checking)
            {
                _tunnelRestarts[started.Pid] = now;
            }

            restarted.Add(new TunnelRestart(record.Site!, "*", driver.DisplayName, $"pid {record.Pid}", $"pid {started.Pid}", record.Command));
        }

        return new TunnelSupervision(state, restarted);
    }

    /// <summary>
    /// Restarts a site's interface from its plan: its recorded process, if any, ended and started again
    /// (recorded at once), then configured and routed unless reach --without-overlay holds the routes out.
    /// A configuration that fails is said in the result, not thrown: the process is recorded either way, and
    /// the next device check finds the interface unrouted and configures it again.
    /// </summary>
    private async Task<(EnvironmentState State, string Done)> RestartSiteInterfaceAsync(EnvironmentState state, string site, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var driver = DriverOf(model);
        var plan = driver.PlanSite(SiteInterfaceOf(model, site), await SiteInputsAsync(model, cancellationToken).ConfigureAwait(false));
        var processes = state.Processes.ToList();
        var old = TunnelEnds(state).FirstOrDefault(p => p.Site == site);
        if (old is not null)
        {
            await HostProcesses.StopAsync(old.Pid, old.StartTicks, s_grace, cancellationToken).ConfigureAwait(false);
        }

        var done = $"{driver.DisplayName} interface {plan.Devices[0].Name} configured with {plan.WireGuard?.Peers.Count ?? 0} peers";
        if (Prepare(plan) is { } command)
        {
            await PrepareRestartAsync(model, LocalNames.Router(model.Name, site), plan.Devices[0].Name, cancellationToken).ConfigureAwait(false);
            var (process, started) = ProcessLauncher.Start(driver.Name, LocalNames.Router(model.Name, site), command, plan.Process!.LogFile);
            process.Dispose();
            var record = started with { Site = site, Interface = plan.Devices[0].Name };
            if (old is null)
            {
                processes.Add(record);
            }
            else
            {
                processes[processes.IndexOf(old)] = record;
            }

            state = state with { Processes = [.. processes] };
            _store.Save(state);
            done = $"{done}; {(old is null ? "started" : $"restarted (was pid {old.Pid})")} as pid {started.Pid}";
        }

        if (await TryConfigureRestartedAsync(model, site, plan, cancellationToken).ConfigureAwait(false) is { } failed)
        {
            done = $"{done}, but configuring it failed ({failed}); the next check configures it again";
        }

        return (state, done);
    }

    /// <summary>
    /// Configures a site's interface whose process was just started again (routed unless reach
    /// --without-overlay holds the routes out). A failure is answered, not thrown: the restarted process is
    /// recorded either way, and the next device check finds the interface unrouted and configures it again.
    /// </summary>
    private async Task<string?> TryConfigureRestartedAsync(EnvironmentModel model, string site, TunnelEndPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            await ConfigureSiteInterfaceAsync(model, site, plan, withRoutes: !OverlayHeldDown(model.Name), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ToolException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Before a per-site interface's process starts again: the dead one's device must be gone (the kernel
    /// removes a tun device a moment after its last holder exits, later on a loaded machine; one still there
    /// after <see cref="s_deviceGone"/> is deleted, being ours and unused), and its control socket too, which
    /// a killed wireguard-go leaves (ours: the name is this environment's).
    /// </summary>
    private static async Task PrepareRestartAsync(EnvironmentModel model, string ns, string device, CancellationToken cancellationToken)
    {
        if (!IsSiteScoped(model))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        while (NetNs.Run(ns, () => ReadTables()).Devices.Contains(device))
        {
            if (clock.Elapsed > s_deviceGone)
            {
                await Ip.ForceBatchAsync(ns, [$"link del {device}"], cancellationToken).ConfigureAwait(false);
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }

        File.Delete(SocketOf(device));
    }
}
