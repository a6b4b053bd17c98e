using GeoStage.Core.Model;

namespace GeoStage.Core.Overlay;

/// <summary>
/// One way of joining sites (OpenVPN today, WireGuard next): the keys a site needs, and the plan for one
/// end of a tunnel. A driver runs nothing and touches no network: its plans are data, executed by whoever
/// runs the router - the local backend inside a router namespace today, a gateway agent on a real router
/// next. Drivers are found by name in GeoStage.Overlay's <c>OverlayDrivers</c>, the one place they are listed.
/// </summary>
/// <remarks>
/// Secrets never leave the machine that generated them. For the local backend every router is on one
/// machine, so all keys are made in one 0600 directory. A gateway agent calls <see cref="CreateSiteKeys"/>
/// on its own router for its own site, and only the public part (<see cref="SiteKeys.PublicKey"/>)
/// travels to the peers, which pass it in as <see cref="TunnelEndInputs.PeerPublicKey"/>.
/// </remarks>
public interface IOverlayDriver
{
    /// <summary>The spec's <c>overlay.backend</c> value ("openvpn"); also the role its processes are recorded under.</summary>
    string Name { get; }

    /// <summary>The name people read in messages ("OpenVPN").</summary>
    string DisplayName { get; }

    /// <summary>
    /// What one plan covers: an end of a tunnel (OpenVPN: a device and a process per end, <see cref="Plan"/>)
    /// or a site (WireGuard: one device and at most one process carrying all its peers, <see cref="PlanSite"/>).
    /// </summary>
    OverlayScope Scope { get; }

    /// <summary>
    /// Programs a router needs to run this driver's plans, by name as they appear first in
    /// <see cref="PlannedProcess.Command"/>; the executor looks them up (and may substitute a path) before it starts anything.
    /// </summary>
    IReadOnlyList<string> RequiredTools { get; }

    /// <summary>Creates the keys <paramref name="site"/> needs in <paramref name="directory"/> (each file 0600).</summary>
    SiteKeys CreateSiteKeys(string directory, string environment, string site, TimeProvider time);

    /// <summary>The public part of <paramref name="site"/>'s keys as <see cref="CreateSiteKeys"/> wrote it into <paramref name="directory"/>.</summary>
    string ReadPublicKey(string directory, string site);

    /// <summary>
    /// Creates the secrets one tunnel's two ends share, if the driver has any (OpenVPN: a tls-crypt key),
    /// replacing earlier ones (0600); returns the files written, empty when it has none.
    /// </summary>
    IReadOnlyList<string> CreateTunnelKeys(string directory, TunnelModel tunnel);

    /// <summary>Removes what <see cref="CreateTunnelKeys"/> wrote: a removed tunnel's secret must not linger.</summary>
    void DeleteTunnelKeys(string directory, TunnelModel tunnel);

    /// <summary>
    /// The network part of an end's plan: devices, addresses, routes; no files and no process. Needs no
    /// keys, so a repair can recreate a device and its routes from it alone.
    /// </summary>
    TunnelEndPlan PlanNetwork(TunnelEnd tunnelEnd);

    /// <summary>The whole plan of an end: <see cref="PlanNetwork"/> plus the files to write and the process to run, if any.</summary>
    TunnelEndPlan Plan(TunnelEnd tunnelEnd, TunnelEndInputs inputs);

    /// <summary>
    /// The whole plan of a site's one interface when <see cref="Scope"/> is <see cref="OverlayScope.Site"/>:
    /// its device, the route to every peer site (the union of its ends' <see cref="PlanNetwork"/>), the
    /// process to run, if any, and the interface's peers (<see cref="TunnelEndPlan.WireGuard"/>).
    /// A driver planning per tunnel end throws <see cref="NotSupportedException"/>.
    /// </summary>
    TunnelEndPlan PlanSite(OverlaySite site, SiteInputs inputs);
}

/// <summary>What one overlay plan covers.</summary>
public enum OverlayScope
{
    /// <summary>One plan per end of each tunnel: two devices and two processes per pair of sites.</summary>
    TunnelEnd,

    /// <summary>
    /// One plan per site: one device carrying every peer. Its tunnel ends (<see cref="TunnelEnd"/>) all name
    /// that device, so that <see cref="IOverlayDriver.PlanNetwork"/> still gives the route to each peer.
    /// </summary>
    Site,
}

/// <summary>A site's one overlay interface: the site, and the name the executor gives its device.</summary>
public sealed record OverlaySite(EnvironmentModel Model, string Site, string Device);

/// <summary>
/// Where a site's keys are, where its log goes, every peer site's public key by site name, and whether the
/// router's kernel makes the device (no process then); the executor finds that out, the driver does not.
/// </summary>
public sealed record SiteInputs(string KeyDirectory, string LogDirectory, IReadOnlyDictionary<string, string> PeerPublicKeys, bool KernelDevice);

/// <summary>What a site's keys came to: the files written (0600) and the public part that may travel.</summary>
public sealed record SiteKeys(string Site, string PublicKey, IReadOnlyList<string> Files);

/// <summary>
/// One end of a tunnel: the tunnel, the site this end is on, and the name the executor gives its device
/// (names are the executor's: the local backend keeps them unique per router namespace and under 15 bytes).
/// </summary>
public sealed record TunnelEnd(EnvironmentModel Model, TunnelModel Tunnel, string Site, string Device)
{
    public string Peer => Tunnel.PeerOf(Site);
}

/// <summary>Where an end's keys are (its own, and the tunnel's shared ones), where its log goes, and the peer's public key.</summary>
public sealed record TunnelEndInputs(string KeyDirectory, string LogDirectory, string PeerPublicKey);
