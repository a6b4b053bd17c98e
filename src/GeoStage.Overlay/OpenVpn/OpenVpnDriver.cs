using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Overlay.Pki;

namespace GeoStage.Overlay.OpenVpn;

/// <summary>
/// The OpenVPN overlay: per site an ECDSA key and self-signed certificate (<see cref="SiteCredentials"/>),
/// per tunnel a tls-crypt key both ends share (<see cref="TlsCryptKey"/>), per end a persistent tun device
/// routed to the peer site and one OpenVPN process (<see cref="OpenVpnEndpoint"/>) moving packets through it.
/// </summary>
public sealed class OpenVpnDriver : IOverlayDriver
{
    /// <summary>The spec's overlay.backend value, and the role OpenVPN processes have in existing state files.</summary>
    public const string DriverName = "openvpn";

    /// <summary>The program each end runs, by name; the executor may substitute a path (GEOSTAGE_OPENVPN, or a stand-in in tests).</summary>
    public const string Program = "openvpn";

    public string Name => DriverName;

    public string DisplayName => "OpenVPN";

    public IReadOnlyList<string> RequiredTools { get; } = [Program];

    /// <summary>Two ends per tunnel, each a tun device and a process of its own.</summary>
    public OverlayScope Scope => OverlayScope.TunnelEnd;

    public SiteKeys CreateSiteKeys(string directory, string environment, string site, TimeProvider time)
    {
        var credentials = SiteCredentials.Generate(environment, site, time);
        var (certificate, key) = credentials.WriteTo(directory);
        return new SiteKeys(site, credentials.Fingerprint, [certificate, key]);
    }

    /// <summary>The certificate's fingerprint: what the peer's config trusts (--peer-fingerprint).</summary>
    public string ReadPublicKey(string directory, string site) => SiteCredentials.FingerprintIn(directory, site);

    /// <summary>
    /// A new tls-crypt key for each tunnel started (up, site add); an end restarted from its config keeps
    /// it. Both ends share it: see <see cref="TlsCryptKey"/> for why that is sound while both live here.
    /// </summary>
    public IReadOnlyList<string> CreateTunnelKeys(string directory, TunnelModel tunnel) => [TlsCryptKey.WriteNew(directory, tunnel)];

    public void DeleteTunnelKeys(string directory, TunnelModel tunnel) => TlsCryptKey.Delete(directory, tunnel);

    /// <summary>
    /// One tun device, no tunnel addresses (routed tun mode: OpenVPN only moves packets), and the route
    /// to the peer site through it; packets the router sends leave from its LAN address. This is the
    /// only route to another site: without the overlay the sites' isolation is real, not filtered.
    /// </summary>
    public TunnelEndPlan PlanNetwork(TunnelEnd tunnelEnd)
    {
        var site = tunnelEnd.Model.Site(tunnelEnd.Site);
        var peer = tunnelEnd.Model.Site(tunnelEnd.Peer);
        return new TunnelEndPlan
        {
            Devices = [new PlannedDevice(tunnelEnd.Device, PlannedDeviceKind.Tun)],
            Routes = [new PlannedRoute(peer.Cidr, tunnelEnd.Device, site.Gateway)],
        };
    }

    public TunnelEndPlan Plan(TunnelEnd tunnelEnd, TunnelEndInputs inputs)
    {
        var endpoint = new OpenVpnEndpoint
        {
            Tunnel = tunnelEnd.Tunnel,
            Site = tunnelEnd.Model.Site(tunnelEnd.Site),
            Peer = tunnelEnd.Model.Site(tunnelEnd.Peer),
            Device = tunnelEnd.Device,
            CertificateFile = Path.Combine(inputs.KeyDirectory, $"{tunnelEnd.Site}.crt"),
            KeyFile = Path.Combine(inputs.KeyDirectory, $"{tunnelEnd.Site}.key"),
            PeerFingerprint = inputs.PeerPublicKey,
            TlsCryptKeyFile = TlsCryptKey.PathIn(inputs.KeyDirectory, tunnelEnd.Tunnel),
        };
        var config = endpoint.PathIn(inputs.KeyDirectory);
        return PlanNetwork(tunnelEnd) with
        {
            Files = [new PlannedFile(config, endpoint.Render())],
            Process = new PlannedProcess([Program, "--config", config], Path.Combine(inputs.LogDirectory, $"openvpn-{tunnelEnd.Site}-{tunnelEnd.Peer}.log")),
        };
    }

    public TunnelEndPlan PlanSite(OverlaySite site, SiteInputs inputs) =>
        throw new NotSupportedException("OpenVPN plans per tunnel end, not per site");
}
