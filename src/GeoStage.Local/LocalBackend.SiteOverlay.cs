using System.Diagnostics;
using System.Globalization;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Overlay.WireGuard;

namespace GeoStage.Local;

/// <summary>
/// The local backend as the executor of per-site overlay plans (<see cref="OverlayScope.Site"/>, WireGuard):
/// one interface per router carrying every peer, made by the kernel or by one wireguard-go process, keyed
/// and given its peers with <c>wg set</c> inside the router, again after every restart (it starts blank).
/// </summary>
public sealed partial class LocalBackend
{
    /// <summary>wireguard-go's control sockets, one per interface and shared by every namespace: why interface names are unique machine-wide.</summary>
    internal const string WireGuardSocketDirectory = "/var/run/wireguard";

    private static readonly TimeSpan s_interfaceTimeout = TimeSpan.FromSeconds(10);

    // Whether this machine's kernel makes WireGuard devices; found out once, the one place the choice is made.
    private static bool? s_kernelWireGuard;

    private static bool IsSiteScoped(EnvironmentModel model) => DriverOf(model).Scope == OverlayScope.Site;

    internal static OverlaySite SiteInterfaceOf(EnvironmentModel model, string site) =>
        new(model, site, LocalNames.SiteOverlay(model.Name, model.Site(site)));

    /// <summary>
    /// True when the kernel has WireGuard (the interface then needs no process), found by creating a
    /// probe device in <paramref name="ns"/> (one of ours) once per process; false falls back to wireguard-go.
    /// GEOSTAGE_WIREGUARD_KERNEL=0 forces the fallback.
    /// </summary>
    private static async Task<bool> KernelWireGuardAsync(string ns, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("GEOSTAGE_WIREGUARD_KERNEL") == "0")
        {
            return false;
        }

        if (s_kernelWireGuard is { } known)
        {
            return known;
        }

        const string probe = "gs-wgprobe";
        try
        {
            await Ip.BatchAsync(ns, [$"link add {probe} type wireguard"], cancellationToken).ConfigureAwait(false);
            await Ip.ForceBatchAsync(ns, [$"link del {probe}"], cancellationToken).ConfigureAwait(false);
            s_kernelWireGuard = true;
        }
        catch (ToolException)
        {
            // "Unknown device type": no module; wireguard-go makes a tun device instead.
            s_kernelWireGuard = false;
        }

        return s_kernelWireGuard.Value;
    }

    private async Task<SiteInputs> SiteInputsAsync(EnvironmentModel model, CancellationToken cancellationToken)
    {
        var driver = DriverOf(model);
        var dir = _store.EnsureDirectory(model.Name, "overlay");
        var logs = _store.EnsureDirectory(model.Name, "logs");
        var keys = model.Sites.ToDictionary(s => s.Name, s => driver.ReadPublicKey(dir, s.Name), StringComparer.Ordinal);
        var kernel = await KernelWireGuardAsync(LocalNames.Fabric(model.Name), cancellationToken).ConfigureAwait(false);
        return new SiteInputs(dir, logs, keys, kernel);
    }

    /// <summary>
    /// Starts the interface of each of <paramref name="sites"/>: its process recorded at once (a crash right
    /// after still leaves down a PID to end), then configured with its peers; routed too when <paramref name="withRoutes"/>.
    /// </summary>
    private async Task<EnvironmentState> StartSiteInterfacesAsync(EnvironmentState state, IReadOnlyList<string> sites, bool withRoutes, List<Process> started, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var driver = DriverOf(model);
        var inputs = await SiteInputsAsync(model, cancellationToken).ConfigureAwait(false);
        var records = state.Processes.ToList();
        var plans = new List<(string Site, TunnelEndPlan Plan)>();
        foreach (var site in sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var plan = driver.PlanSite(SiteInterfaceOf(model, site), inputs);
            plans.Add((site, plan));
            if (Prepare(plan) is not { } command)
            {
                continue;
            }

            if (plan.WireGuard is { } wg && File.Exists(SocketOf(wg.Device)))
            {
                throw new EnvironmentConflictException($"{SocketOf(wg.Device)} exists: another WireGuard interface named {wg.Device} runs on this machine; rename the environment");
            }

            Process process;
            ProcessRecord record;
            try
            {
                (process, record) = ProcessLauncher.Start(driver.Name, LocalNames.Router(model.Name, site), command, plan.Process!.LogFile);
            }
            catch (ToolException e)
            {
                throw new ToolException($"{driver.DisplayName} for site {site} did not start: {e.Message}", e);
            }

            started.Add(process);
            records.Add(record with { Site = site, Interface = plan.Devices[0].Name });
            state = state with { Processes = [.. records] };
            _store.Save(state);
        }

        await Parallel.ForEachAsync(
            plans,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (p, ct) => await ConfigureSiteInterfaceAsync(model, p.Site, p.Plan, withRoutes, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return state;
    }

    /// <summary>
    /// Makes a site's interface what its plan says: made by the kernel when the plan has no process (else
    /// waited for until its process made it and opened its control socket), keyed, given every peer, set
    /// up, and routed when <paramref name="withRoutes"/>. Needed after every start: wireguard-go starts blank.
    /// </summary>
    private async Task ConfigureSiteInterfaceAsync(EnvironmentModel model, string site, TunnelEndPlan plan, bool withRoutes, CancellationToken cancellationToken)
    {
        var ns = LocalNames.Router(model.Name, site);
        var wg = plan.WireGuard ?? throw new InvalidOperationException($"the {DriverOf(model).DisplayName} plan of site {site} has no interface configuration");
        if (plan.Process is null)
        {
            if (!NetNs.Run(ns, () => ReadTables()).Devices.Contains(wg.Device))
            {
                await Ip.BatchAsync(ns, [$"link add {wg.Device} type wireguard"], cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await WaitInterfaceAsync(ns, wg.Device, plan.Process.LogFile, cancellationToken).ConfigureAwait(false);
        }

        await RunWgAsync(ns, WgSet(wg, wg.Peers), cancellationToken).ConfigureAwait(false);
        IEnumerable<string> routes = withRoutes ? plan.Routes.Select(r => RouteCommand(r, "replace")) : [];
        await Ip.BatchAsync(ns, [$"link set {wg.Device} up", .. routes], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The arguments of <c>wg</c> that key <paramref name="wg"/>'s interface and set <paramref name="peers"/> on it (others it has stay).</summary>
    internal static IReadOnlyList<string> WgSet(PlannedWireGuard wg, IEnumerable<PlannedPeer> peers) =>
    [
        "set", wg.Device, "listen-port", wg.ListenPort.ToString(CultureInfo.InvariantCulture), "private-key", wg.PrivateKeyFile,
        .. peers.SelectMany(p => (string[])["peer", p.PublicKey, "endpoint", p.Endpoint.ToString(), "allowed-ips", p.AllowedIps.ToString(),
            "persistent-keepalive", p.KeepaliveSeconds.ToString(CultureInfo.InvariantCulture)]),
    ];

    internal static string RouteCommand(PlannedRoute route, string verb) =>
        $"route {verb} {route.Destination} dev {route.Device}{(route.Source is null ? "" : $" src {route.Source}")}";

    private async Task RunWgAsync(string ns, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        await ExternalProgram.RunAsync("nsenter", [$"--net={Ip.PathOf(ns)}", "--", ProgramOf(WireGuardDriver.ConfigTool), .. arguments], cancellationToken).ConfigureAwait(false);

    /// <summary>Waits until wireguard-go made <paramref name="device"/> in <paramref name="ns"/> and listens on its control socket.</summary>
    private static async Task WaitInterfaceAsync(string ns, string device, string log, CancellationToken cancellationToken)
    {
        var socket = SocketOf(device);
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(socket) && NetNs.Run(ns, () => ReadTables()).Devices.Contains(device)))
        {
            if (clock.Elapsed > s_interfaceTimeout)
            {
                throw new ToolException($"wireguard-go did not make {device} in {ns} within {s_interfaceTimeout.TotalSeconds:0} s; see {log}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string SocketOf(string device) => Path.Combine(WireGuardSocketDirectory, device + ".sock");

    /// <summary>Adds <paramref name="added"/> as a peer to every other site's interface, which keeps running: its sessions with the others stay.</summary>
    private async Task AddPeerAsync(EnvironmentModel model, string added, CancellationToken cancellationToken)
    {
        var driver = DriverOf(model);
        var inputs = await SiteInputsAsync(model, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(
            model.Sites.Where(s => s.Name != added),
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (other, ct) =>
            {
                var wg = driver.PlanSite(SiteInterfaceOf(model, other.Name), inputs).WireGuard!;
                await RunWgAsync(LocalNames.Router(model.Name, other.Name), WgSet(wg, wg.Peers.Where(p => p.Site == added)), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Takes <paramref name="removed"/> off <paramref name="other"/>'s interface, with its route; what is gone already is no error.</summary>
    private async Task RemovePeerAsync(EnvironmentModel model, string removed, SiteModel other, TunnelModel tunnel, CancellationToken cancellationToken)
    {
        var ns = LocalNames.Router(model.Name, other.Name);
        await Ip.ForceBatchAsync(ns, TunnelRoutes(model, other, tunnel, "del"), cancellationToken).ConfigureAwait(false);
        string publicKey;
        try
        {
            publicKey = DriverOf(model).ReadPublicKey(_store.EnsureDirectory(model.Name, "overlay"), removed);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            // No key, no peer was ever added with it.
            return;
        }

        try
        {
            await RunWgAsync(ns, ["set", SiteInterfaceOf(model, other.Name).Device, "peer", publicKey, "remove"], cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException)
        {
            // The interface is gone (its process died): restarted from the new model, it has no such peer.
        }
    }

    /// <summary>The status of every tunnel end of a per-site overlay: each peer of each site's interface, alive while the site's process runs.</summary>
    private static List<(string Site, string Peer, string Namespace, string Interface, ProcessRecord? Record)> SiteScopedEnds(EnvironmentState state)
    {
        var model = state.Model;
        var records = TunnelEnds(state).Where(p => p.Site is not null).ToDictionary(p => p.Site!, StringComparer.Ordinal);
        return [.. from tunnel in model.Overlay.Tunnels
                   from site in new[] { tunnel.Server, tunnel.Client }
                   select (site, tunnel.PeerOf(site), LocalNames.Router(model.Name, site), SiteInterfaceOf(model, site).Device, records.GetValueOrDefault(site))];
    }

    /// <summary>Deletes the control sockets of this environment's interfaces that a killed wireguard-go left (a stopped one removes its own).</summary>
    private static void RemoveSiteSockets(EnvironmentModel model)
    {
        if (!IsSiteScoped(model))
        {
            return;
        }

        foreach (var site in model.Sites)
        {
            File.Delete(SocketOf(SiteInterfaceOf(model, site.Name).Device));
        }
    }
}
