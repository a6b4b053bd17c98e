using System.Diagnostics;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>
    /// Repairs each of <paramref name="faults"/> (found by <see cref="FindFaults"/>; the caller applies its
    /// backoff): recreates the device with its addresses, routes and permanent neighbour entries, with the
    /// commands that built it, and restarts the OpenVPN processes that used a recreated tun device or WAN
    /// leg. A failed repair is reported, not thrown: the next check finds the fault again.
    /// </summary>
    public async Task<RepairResult> RepairAsync(EnvironmentState state, IReadOnlyList<Fault> faults, CancellationToken cancellationToken)
    {
        var actions = new List<RepairAction>();
        var expected = ExpectedDevices(state.Model).ToDictionary(d => (d.Namespace, d.Device));
        foreach (var fault in faults)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                (state, var done) = await RepairAsync(state, expected[(fault.Namespace, fault.Device)], fault, cancellationToken).ConfigureAwait(false);
                actions.Add(new RepairAction(fault, done, null, clock.Elapsed));
            }
            catch (Exception e) when (e is ToolException or IOException or InvalidOperationException or KeyNotFoundException)
            {
                actions.Add(new RepairAction(fault, null, e.Message, clock.Elapsed));
            }
        }

        return new RepairResult(state, faults, actions);
    }

    private async Task<(EnvironmentState State, string Done)> RepairAsync(EnvironmentState state, ExpectedDevice device, Fault fault, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var missing = fault.Kind == FaultKind.Missing;
        switch (device.Role)
        {
            case DeviceRole.Bridge:
                var ports = BridgePorts(model, device.Device).Where(ReadTablesOf(device.Namespace).Devices.Contains).ToList();
                await Ip.BatchAsync(device.Namespace, [.. BridgeCommands(device.Device), .. ports.Select(p => $"link set {p} master {device.Device} up")], cancellationToken).ConfigureAwait(false);
                return (state, $"recreated bridge {device.Device} with its {ports.Count} ports");

            case DeviceRole.RouterWan when missing:
                // OpenVPN's sockets were bound to the address that went with the device: they start again.
                return await ReplaceTunnelEndsAsync(state, p => p.Namespace == device.Namespace, "recreated with its address and neighbour entries", async ct =>
                {
                    await RecreateLegAsync(model, LocalNames.RouterWanPeer(device.Site!), RouterWanLeg(model, device.Site!), ct).ConfigureAwait(false);
                    await Ip.BatchAsync(device.Namespace, RouterWanConfig(model, device.Site!), ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);

            case DeviceRole.RouterWan:
                await Ip.BatchAsync(device.Namespace, RouterWanConfig(model, device.Site!), cancellationToken).ConfigureAwait(false);
                return (state, "brought up and addressed again");

            case DeviceRole.RouterLan:
                if (missing)
                {
                    await RecreateLegAsync(model, LocalNames.RouterLanPeer(device.Site!), RouterLanLeg(model, device.Site!), cancellationToken).ConfigureAwait(false);
                }

                // The tunnel routes leave from the LAN address: the kernel dropped them with it.
                var routes = model.Overlay.Tunnels.Where(t => t.Joins(device.Site!.Name)).SelectMany(t => TunnelRoutes(model, device.Site!, t, "replace"));
                await Ip.BatchAsync(device.Namespace, [.. RouterLanConfig(model, device.Site!), .. routes], cancellationToken).ConfigureAwait(false);
                return (state, $"{(missing ? "recreated" : "brought up")} with its address, neighbour entries and tunnel routes");

            case DeviceRole.Tunnel when device.Tunnel is null && (missing || fault.Kind == FaultKind.Flooding):
                // A site's interface (WireGuard): wireguard-go takes it along when it dies, and a new one starts blank.
                return await RestartSiteInterfaceAsync(state, device.Site!.Name, cancellationToken).ConfigureAwait(false);

            case DeviceRole.Tunnel when device.Tunnel is null:
                // Configured again whole (wg set only replaces what it names): a restart whose configuration failed left it blank.
                var plan = DriverOf(model).PlanSite(SiteInterfaceOf(model, device.Site!.Name), await SiteInputsAsync(model, cancellationToken).ConfigureAwait(false));
                await ConfigureSiteInterfaceAsync(model, device.Site!.Name, plan, withRoutes: true, cancellationToken).ConfigureAwait(false);
                return (state, "configured again with its peers and routes");

            case DeviceRole.Tunnel when missing || fault.Kind == FaultKind.Flooding:
                // Stopped first: an OpenVPN left running would spin on its dead descriptor, and one started
                // without the device would create a bare one of its own, down and unrouted.
                List<string> create = missing ? TunnelDevices(model, device.Site!, device.Tunnel!) : [$"link set {device.Device} up"];
                return await ReplaceTunnelEndsAsync(state, p => p.Namespace == device.Namespace && p.Interface == device.Device, missing ? "recreated with its route" : "restarted", ct =>
                    Ip.BatchAsync(device.Namespace, [.. create, .. TunnelRoutes(model, device.Site!, device.Tunnel!, "replace")], ct), cancellationToken).ConfigureAwait(false);

            case DeviceRole.Tunnel:
                await Ip.BatchAsync(device.Namespace, [$"link set {device.Device} up", .. TunnelRoutes(model, device.Site!, device.Tunnel!, "replace")], cancellationToken).ConfigureAwait(false);
                return (state, "brought up with its route");

            case DeviceRole.NodeLeg:
                if (missing)
                {
                    await RecreateLegAsync(model, LocalNames.NodePeer(device.Node!), NodeLeg(model, device.Node!), cancellationToken).ConfigureAwait(false);
                }

                await Ip.BatchAsync(device.Namespace, NodeCommands(model, device.Node!), cancellationToken).ConfigureAwait(false);
                return (state, $"{(missing ? "recreated" : "brought up")} with its address, default route and neighbour entries");

            default:
                throw new InvalidOperationException($"no repair for {device.Role}");
        }
    }

    /// <summary>The fabric's ports that belong to <paramref name="bridge"/>: router legs and, for a site's LAN, its nodes.</summary>
    private static IEnumerable<string> BridgePorts(EnvironmentModel model, string bridge) =>
        bridge == LocalNames.WanBridge
            ? model.Sites.Select(LocalNames.RouterWanPeer)
            : model.Sites.Where(s => LocalNames.SiteBridge(s) == bridge)
                .SelectMany(s => model.NodesIn(s.Name).Select(LocalNames.NodePeer).Prepend(LocalNames.RouterLanPeer(s)));

    /// <summary>
    /// Recreates a veth pair from the fabric. Deleting either end of a pair deletes both, but an end moved
    /// or renamed elsewhere leaves the fabric's end behind: it goes first, or the name would be taken.
    /// </summary>
    private static async Task RecreateLegAsync(EnvironmentModel model, string fabricEnd, IReadOnlyList<string> commands, CancellationToken cancellationToken)
    {
        var fabric = LocalNames.Fabric(model.Name);
        string[] stale = ReadTablesOf(fabric).Devices.Contains(fabricEnd) ? [$"link del {fabricEnd}"] : [];
        await Ip.BatchAsync(fabric, [.. stale, .. commands], cancellationToken).ConfigureAwait(false);
    }

    private static NetworkTables ReadTablesOf(string ns) => NetNs.Run(ns, () => ReadTables());

    /// <summary>Stops the tunnel ends' processes <paramref name="which"/> selects, runs <paramref name="between"/>, starts them again as recorded.</summary>
    private async Task<(EnvironmentState State, string Done)> ReplaceTunnelEndsAsync(
        EnvironmentState state, Func<ProcessRecord, bool> which, string done, Func<CancellationToken, Task> between, CancellationToken cancellationToken)
    {
        var overlay = DriverOf(state.Model).DisplayName;
        var records = TunnelEnds(state).Where(which).ToList();
        await Task.WhenAll(records.Select(p => HostProcesses.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);
        await between(cancellationToken).ConfigureAwait(false);
        var processes = state.Processes.ToList();
        var restarted = new List<string>();
        foreach (var record in records)
        {
            if (record.Interface is not null)
            {
                await PrepareRestartAsync(state.Model, record.Namespace, record.Interface, cancellationToken).ConfigureAwait(false);
            }

            var (process, started) = ProcessLauncher.Start(record.Role, record.Namespace, record.Command, record.LogFile);
            process.Dispose();
            processes[processes.IndexOf(record)] = started with { Site = record.Site, Peer = record.Peer, Interface = record.Interface };
            restarted.Add(record.Peer is null ? $"{overlay} of site {record.Site} as pid {started.Pid}" : $"{overlay} {record.Site}->{record.Peer} as pid {started.Pid}");

            // Recorded at once, so that a crash right after still leaves down a PID to end.
            state = state with { Processes = [.. processes] };
            _store.Save(state);
        }

        if (IsSiteScoped(state.Model))
        {
            // A restarted wireguard-go starts blank: keyed, given its peers and routed again.
            var inputs = await SiteInputsAsync(state.Model, cancellationToken).ConfigureAwait(false);
            foreach (var record in records.Where(r => r.Site is not null))
            {
                var plan = DriverOf(state.Model).PlanSite(SiteInterfaceOf(state.Model, record.Site!), inputs);
                if (await TryConfigureRestartedAsync(state.Model, record.Site!, plan, cancellationToken).ConfigureAwait(false) is { } failed)
                {
                    restarted.Add($"configuring site {record.Site}'s interface failed ({failed})");
                }
            }
        }

        return (state, restarted.Count == 0 ? done : $"{done}; restarted {string.Join(", ", restarted)}");
    }
}
