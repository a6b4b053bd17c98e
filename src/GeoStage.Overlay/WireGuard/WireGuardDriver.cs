using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;

namespace GeoStage.Overlay.WireGuard;

/// <summary>
/// The WireGuard overlay: per site a Curve25519 key pair and ONE interface carrying every peer site, each
/// pinned by its public key and allowed exactly its site's CIDR. Where the router's kernel has WireGuard
/// the interface needs no process; elsewhere one wireguard-go per site makes and runs it. So a mesh of n
/// sites costs n processes, not OpenVPN's n(n-1).
/// </summary>
/// <remarks>
/// Every site listens on the same UDP port, overlay.port: each router has its own namespace and WAN
/// address, and a site added later needs no new port (the per-tunnel ports the model allocates stay
/// OpenVPN's). Peers keep their sessions alive every 25 s, so a router behind a stateful filter stays reachable.
/// </remarks>
public sealed class WireGuardDriver : IOverlayDriver
{
    public const string DriverName = "wireguard";

    /// <summary>The userspace implementation, run where the kernel has no WireGuard.</summary>
    public const string Program = "wireguard-go";

    /// <summary>The configuration tool the executor runs in the router (<c>wg set</c>).</summary>
    public const string ConfigTool = "wg";

    public const int KeepaliveSeconds = 25;

    public string Name => DriverName;

    public string DisplayName => "WireGuard";

    public IReadOnlyList<string> RequiredTools { get; } = [Program, ConfigTool];

    public OverlayScope Scope => OverlayScope.Site;

    public SiteKeys CreateSiteKeys(string directory, string environment, string site, TimeProvider time)
    {
        var file = WireGuardKeys.Write(directory, site);
        return new SiteKeys(site, WireGuardKeys.PublicKeyIn(directory, site), [file]);
    }

    public string ReadPublicKey(string directory, string site) => WireGuardKeys.PublicKeyIn(directory, site);

    /// <summary>None: WireGuard's peers share nothing secret; each knows the other's public key only.</summary>
    public IReadOnlyList<string> CreateTunnelKeys(string directory, TunnelModel tunnel) => [];

    public void DeleteTunnelKeys(string directory, TunnelModel tunnel)
    {
    }

    /// <summary>
    /// The site's interface (the end's device is it) and the route to the peer's CIDR through it, leaving
    /// from the router's LAN address: within the CIDR the peer allows from this site, so no tunnel address is needed.
    /// </summary>
    public TunnelEndPlan PlanNetwork(TunnelEnd tunnelEnd)
    {
        var site = tunnelEnd.Model.Site(tunnelEnd.Site);
        var peer = tunnelEnd.Model.Site(tunnelEnd.Peer);
        return new TunnelEndPlan
        {
            Devices = [new PlannedDevice(tunnelEnd.Device, PlannedDeviceKind.WireGuard)],
            Routes = [new PlannedRoute(peer.Cidr, tunnelEnd.Device, site.Gateway)],
        };
    }

    public TunnelEndPlan Plan(TunnelEnd tunnelEnd, TunnelEndInputs inputs) =>
        throw new NotSupportedException("WireGuard plans per site (PlanSite), not per tunnel end");

    public TunnelEndPlan PlanSite(OverlaySite site, SiteInputs inputs)
    {
        var model = site.Model;
        var self = model.Site(site.Site);
        var peers = model.Overlay.Tunnels.Where(t => t.Joins(site.Site)).Select(t => model.Site(t.PeerOf(site.Site))).ToList();
        return new TunnelEndPlan
        {
            Devices = [new PlannedDevice(site.Device, PlannedDeviceKind.WireGuard)],
            Routes = [.. peers.Select(p => new PlannedRoute(p.Cidr, site.Device, self.Gateway))],
            Process = inputs.KernelDevice ? null : new PlannedProcess([Program, "-f", site.Device], Path.Combine(inputs.LogDirectory, $"wireguard-{site.Site}.log")),
            WireGuard = new PlannedWireGuard(
                site.Device,
                WireGuardKeys.PrivateKeyPath(inputs.KeyDirectory, site.Site),
                model.Overlay.BasePort,
                [.. peers.Select(p => new PlannedPeer(p.Name, inputs.PeerPublicKeys[p.Name], new IPEndPoint(p.RouterWan, model.Overlay.BasePort), p.Cidr, KeepaliveSeconds))]),
        };
    }
}
