using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using GeoStage.Overlay.OpenVpn;
using GeoStage.Overlay.Pki;
using Xunit;

namespace GeoStage.Overlay.Tests.OpenVpn;

/// <summary>
/// The config of each end of a tunnel. OpenVPN itself cannot check a TLS config offline (its
/// --test-crypto wants a static --secret key), so these read the text; the local backend's root tests
/// run real tunnels from it.
/// </summary>
public sealed class OpenVpnEndpointTests
{
    // Three sites so that tunnels differ in port; the port is not the default, so it comes from the model.
    private static readonly EnvironmentModel s_model = SpecValidator.Load(
        """
        name: ov
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
          - { name: north, cidr: 10.93.0.0/24, router: 10.9.0.3 }
        overlay: { port: 5000 }
        """,
        "t.yaml",
        []);

    private static readonly Dictionary<string, SiteCredentials> s_credentials =
        s_model.Sites.ToDictionary(s => s.Name, s => SiteCredentials.Generate(s_model.Name, s.Name, TimeProvider.System));

    // west <-> north: tunnel 2, port 5002, west the TLS server (listed first).
    private static TunnelModel Tunnel => s_model.Overlay.Tunnels.Single(t => t.Server == "west" && t.Client == "north");

    [Fact]
    public void Render_ServerEnd_TlsServerWithoutDhParameters()
    {
        var lines = Lines(End("west"));

        Assert.Contains("tls-server", lines);
        Assert.Contains("dh none", lines);
        Assert.DoesNotContain("tls-client", lines);
    }

    [Fact]
    public void Render_ClientEnd_TlsClientAndNoDh()
    {
        var lines = Lines(End("north"));

        Assert.Contains("tls-client", lines);
        Assert.DoesNotContain("tls-server", lines);
        Assert.DoesNotContain(lines, l => l == "dh" || l.StartsWith("dh ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("west", "north")]
    [InlineData("north", "west")]
    public void Render_EitherEnd_TrustsExactlyThePeersFingerprint(string site, string peer)
    {
        var lines = Lines(End(site));

        Assert.Equal($"peer-fingerprint {s_credentials[peer].Fingerprint}", Assert.Single(lines, l => l.StartsWith("peer-fingerprint ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains(s_credentials[site].Fingerprint, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("west", "north", "10.9.0.2", "10.9.0.3")]
    [InlineData("north", "west", "10.9.0.3", "10.9.0.2")]
    public void Render_EitherEnd_BindsItsRouterAndReachesThePeersOnTheTunnelPort(string site, string peer, string local, string remote)
    {
        var endpoint = End(site);
        var lines = Lines(endpoint);

        Assert.Equal(5002, Tunnel.Port);
        Assert.Equal(peer, endpoint.Peer.Name);
        Assert.Equal($"local {local}", Assert.Single(lines, l => l.StartsWith("local ", StringComparison.Ordinal)));
        Assert.Equal("lport 5002", Assert.Single(lines, l => l.StartsWith("lport ", StringComparison.Ordinal)));
        Assert.Equal($"remote {remote} 5002", Assert.Single(lines, l => l.StartsWith("remote ", StringComparison.Ordinal)));
        Assert.Equal("proto udp", Assert.Single(lines, l => l.StartsWith("proto ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Render_FilesAndDevice_AsGiven()
    {
        var lines = Lines(End("north"));

        Assert.Contains("dev tun-west", lines);
        Assert.Contains("dev-type tun", lines);
        Assert.Contains("cert /overlay/north.crt", lines);
        Assert.Contains("key /overlay/north.key", lines);
        Assert.Contains("tls-version-min 1.3", lines);
    }

    [Theory]
    [InlineData("west")]
    [InlineData("north")]
    public void Render_EitherEnd_WrapsTheControlChannelInTheTunnelsTlsCryptKey(string site)
    {
        var lines = Lines(End(site));

        Assert.Equal("tls-crypt /overlay/west-north.tlscrypt", Assert.Single(lines, l => l.StartsWith("tls-", StringComparison.Ordinal) && l.Contains("crypt", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("tls-auth", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_AnyEnd_EachOptionOnce()
    {
        var options = Lines(End("west")).Where(l => !l.StartsWith('#')).Select(l => l.Split(' ')[0]).ToList();

        Assert.Equal(options.Distinct().Count(), options.Count);
    }

    [Fact]
    public void WriteTo_Config_NamedSiteDashPeerWithMode0600()
    {
        using var dir = new TempDir();
        var endpoint = End("west");

        var path = endpoint.WriteTo(dir.Path);

        Assert.Equal(Path.Combine(dir.Path, "west-north.conf"), path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(endpoint.Render(), File.ReadAllText(path));
    }

    private static OpenVpnEndpoint End(string site) => new()
    {
        Tunnel = Tunnel,
        Site = s_model.Site(site),
        Peer = s_model.Site(Tunnel.PeerOf(site)),
        Device = $"tun-{Tunnel.PeerOf(site)}",
        CertificateFile = $"/overlay/{site}.crt",
        KeyFile = $"/overlay/{site}.key",
        PeerFingerprint = s_credentials[Tunnel.PeerOf(site)].Fingerprint,
        TlsCryptKeyFile = "/overlay/west-north.tlscrypt",
    };

    private static List<string> Lines(OpenVpnEndpoint endpoint) => [.. endpoint.Render().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
