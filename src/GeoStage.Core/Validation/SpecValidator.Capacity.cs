namespace GeoStage.Core.Validation;

public sealed partial class SpecValidator
{
    /// <summary>Processes an environment needs besides its tunnels: its daemon and a few helpers at any moment.</summary>
    private const int FixedProcesses = 8;

    /// <summary>
    /// Refuses a topology the host cannot hold, before anything is built: a 300-site mesh needs 89,700
    /// OpenVPN processes, and up spent minutes building it before the pids ran out at 32,768.
    /// Workloads count roughly, as one process per node.
    /// </summary>
    /// <summary>
    /// Resident memory of one openvpn process of a GeoStage mesh, measured (VmRSS, 2026-12-02): 380
    /// processes of a 20-site mesh held 3,565 MiB, 9.4 MiB each. RSS counts shared libraries once per
    /// process, so this over-counts (PSS was 1.5 MiB each at 90): the bound refuses only what surely cannot fit.
    /// </summary>
    internal const long OpenVpnProcessBytes = 9L << 20;

    /// <summary>
    /// Resident memory of one wireguard-go process (one per site, all its peers), measured (VmRSS, 2026-12-02):
    /// 10 sites held 89 MiB while every pair was checked.
    /// </summary>
    internal const long WireGuardProcessBytes = 9L << 20;

    private bool Fits(int sites, int nodes, bool wireGuard, HostLimits limits, bool overlayWritten)
    {
        return wireGuard ? FitsWireGuard(sites, nodes, limits) : FitsOpenVpn(sites, nodes, limits, overlayWritten);
    }

    /// <summary>WireGuard needs one process per site, whatever the mesh: only the namespaces and the sites' processes count.</summary>
    private bool FitsWireGuard(int sites, int nodes, HostLimits limits)
    {
        var before = _errors.Count;
        var needed = (long)sites + nodes + FixedProcesses;
        if (needed > limits.ProcessesAvailable)
        {
            Error("sites", $"{sites:N0} sites with WireGuard need {sites:N0} wireguard-go processes and about {nodes:N0} for the nodes' workloads; this host has {limits.ProcessesAvailable:N0} processes to spare ({limits.ProcessBound}). Use fewer sites or nodes");
        }
        else if (sites * WireGuardProcessBytes > limits.MemoryForEnvironment)
        {
            Error("sites", $"{sites:N0} sites with WireGuard need about {Gib(sites * WireGuardProcessBytes)} of memory for their wireguard-go processes; this host has {Gib(limits.MemoryAvailable)} available (MemAvailable), of which a quarter is kept free. Use fewer sites");
        }

        CheckNamespaces(sites, nodes, limits);
        return _errors.Count == before;
    }

    private bool FitsOpenVpn(int sites, int nodes, HostLimits limits, bool overlayWritten)
    {
        var before = _errors.Count;
        var tunnels = (long)sites * (sites - 1) / 2;
        var openvpn = 2 * tunnels;
        var needed = openvpn + nodes + FixedProcesses;
        var available = limits.ProcessesAvailable;
        if (needed > available)
        {
            var most = MostSites(available - nodes - FixedProcesses);
            Error("sites", $"{sites:N0} sites in an OpenVPN mesh need {tunnels:N0} tunnels and {openvpn:N0} openvpn processes"
                + (nodes > 0 ? $" (and about {nodes:N0} for the nodes' workloads)" : "")
                + $"; this host allows {Math.Min(limits.PidMax, limits.ThreadsMax):N0} processes ({limits.ProcessBound}), of which {limits.ThreadsNow:N0} exist and {limits.Headroom:N0} are kept free."
                + $" Use fewer sites (at most {most:N0} here) or overlay.backend: wireguard (one process per site)");
        }

        var memory = openvpn * OpenVpnProcessBytes;
        if (needed <= available && memory > limits.MemoryForEnvironment)
        {
            Error(overlayWritten ? "overlay.backend" : "sites", $"{sites:N0} sites in an OpenVPN mesh need {openvpn:N0} openvpn processes, about {Gib(memory)} of memory at 9 MiB each;"
                + $" this host has {Gib(limits.MemoryAvailable)} available (MemAvailable), of which a quarter is kept free."
                + " Use overlay.backend: wireguard (one process per site), or fewer sites");
        }

        CheckNamespaces(sites, nodes, limits);
        return _errors.Count == before;
    }

    private void CheckNamespaces(int sites, int nodes, HostLimits limits)
    {
        // One for each router and node, and the fabric (the WAN) that joins the routers.
        var namespaces = 1L + sites + nodes;
        var free = limits.MaxNetNamespaces - limits.NetNamespacesNow;
        if (namespaces > free)
        {
            Error("sites", $"{sites:N0} sites and {nodes:N0} nodes need {namespaces:N0} network namespaces; this host allows {limits.MaxNetNamespaces:N0} (user.max_net_namespaces), of which {limits.NetNamespacesNow:N0} exist. Use fewer sites or nodes, or raise user.max_net_namespaces");
        }
    }

    private static string Gib(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB");

    /// <summary>The most sites whose full mesh (two processes per pair) fits in <paramref name="processes"/>.</summary>
    private static long MostSites(long processes)
    {
        var n = 0L;
        while ((n + 1) * n <= processes)
        {
            n++;
        }

        return Math.Max(0, n);
    }
}
