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
}

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
