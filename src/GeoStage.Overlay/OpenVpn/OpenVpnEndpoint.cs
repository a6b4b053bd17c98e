using System.Globalization;

using System.Text;
using GeoStage.Core.Model;
using GeoStage.Overlay.Pki;

namespace GeoStage.Overlay.OpenVpn;

/// <summary>
/// One end of a site-to-site tunnel: an OpenVPN 2.6 p2p TLS instance on a site's router. Routed tun
/// mode without tunnel addresses: the tun device is created and routed by GeoStage beforehand, and
/// OpenVPN only moves packets between it and the peer, authenticated by certificate fingerprint.
/// </summary>
public sealed record OpenVpnEndpoint
{
    public required TunnelModel Tunnel { get; init; }
    public required SiteModel Site { get; init; }
    public required SiteModel Peer { get; init; }
    public required string Device { get; init; }
    public required string CertificateFile { get; init; }
    public required string KeyFile { get; init; }
    public required string PeerFingerprint { get; init; }

    /// <summary>The tunnel's tls-crypt key file (<see cref="TlsCryptKey"/>), the same at both ends.</summary>
    public required string TlsCryptKeyFile { get; init; }

    public bool IsServer => Tunnel.Server == Site.Name;

    /// <summary>The config file's text.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line($"# GeoStage tunnel {Tunnel.Server}<->{Tunnel.Client}: this end is site {Site.Name}");
        Line($"dev {Device}");
        Line("dev-type tun");
        Line("proto udp");
        Line($"local {Site.RouterWan}");
        Line($"lport {Tunnel.Port.ToString(CultureInfo.InvariantCulture)}");
        Line($"remote {Peer.RouterWan} {Tunnel.Port.ToString(CultureInfo.InvariantCulture)}");
        Line(IsServer ? "tls-server" : "tls-client");
        if (IsServer)
        {
            // ECDHE only; no finite-field DH parameters to generate or ship.
            Line("dh none");
        }

        Line("tls-version-min 1.3");
        Line($"cert {CertificateFile}");
        Line($"key {KeyFile}");
        Line($"peer-fingerprint {PeerFingerprint}");

        // Control packets without this key are dropped before TLS: a keyless sender spoofing the peer's address
        // no longer opens sessions that answer the real peer and linger for the hand-window. The tag is checked
        // before the packet id, so forgeries cannot move the replay window either; its defaults stay.
        Line($"tls-crypt {TlsCryptKeyFile}");
        Line("data-ciphers AES-256-GCM:CHACHA20-POLY1305");

        // Keepalive: a dead peer restarts the session within seconds, and routes stay on the persistent tun.
        Line("ping 1");
        Line("ping-restart 5");
        Line("persist-tun");
        Line("persist-key");
        Line("verb 3");
        Line("mute-replay-warnings");
        return text.ToString();
    }

    /// <summary>Where this end's config file lives in <paramref name="directory"/>.</summary>
    public string PathIn(string directory) => Path.Combine(directory, $"{Site.Name}-{Peer.Name}.conf");

    /// <summary>Writes the config file (0600) into <paramref name="directory"/>; returns its path.</summary>
    public string WriteTo(string directory)
    {
        var path = PathIn(directory);
        SiteCredentials.WritePrivate(path, Render());
        return path;
    }

}
