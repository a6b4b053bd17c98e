using System.Security.Cryptography;
using System.Text;
using GeoStage.Core.Model;

namespace GeoStage.Overlay.Pki;

/// <summary>
/// A tunnel's pre-shared tls-crypt key (OpenVPN's --tls-crypt): every control-channel packet is encrypted
/// and authenticated with it, so a sender without the key - e.g. one spoofing the peer router's WAN
/// address - is dropped before OpenVPN's TLS state machine sees the packet: it no longer opens handshakes
/// that answer the real peer, which under a flood cost both ends the time to forward the tunnel's traffic.
/// </summary>
/// <remarks>
/// One key per tunnel, held by both its ends. Sharing it is sound here because both ends are generated and
/// held on this machine, in the same 0600 directory as the routers' private keys: whoever could read one
/// end's copy could read both, and the certificates still authenticate each end. When a tunnel end moves to
/// a real router, the gateway will deliver that end's copy over mutual TLS, and still to that router alone.
/// Version 1 rather than tls-crypt-v2, which OpenVPN 2.6 also runs in p2p mode: v2 gives each client of a
/// server a key of its own, but a p2p tunnel has one client, so a key per tunnel already is a key per client;
/// its cookie handshake keeps a multi-client server from filling with half-open clients, while a p2p end has
/// fixed session slots for its one peer; and it would cost a server key plus a wrapped client key per tunnel
/// instead of one key.
/// </remarks>
public static class TlsCryptKey
{
    /// <summary>Bytes of key material: OpenVPN's static key V1 holds two cipher and two HMAC keys of 64 bytes.</summary>
    public const int Size = 256;

    private const string Begin = "-----BEGIN OpenVPN Static key V1-----";
    private const string End = "-----END OpenVPN Static key V1-----";
    private const int BytesPerLine = 16;

    /// <summary>A new key from the system's CSPRNG, in OpenVPN's static key file format.</summary>
    public static string Generate()
    {
        var key = RandomNumberGenerator.GetBytes(Size);
        try
        {
            var text = new StringBuilder("#\n# OpenVPN tls-crypt key of a GeoStage tunnel\n#\n").Append(Begin).Append('\n');
            for (var offset = 0; offset < Size; offset += BytesPerLine)
            {
                text.Append(Convert.ToHexStringLower(key, offset, BytesPerLine)).Append('\n');
            }

            return text.Append(End).Append('\n').ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Where <paramref name="tunnel"/>'s key lives in the overlay <paramref name="directory"/>.</summary>
    public static string PathIn(string directory, TunnelModel tunnel) =>
        Path.Combine(directory, $"{tunnel.Server}-{tunnel.Client}.tlscrypt");

    /// <summary>Writes a new key for <paramref name="tunnel"/> (0600), replacing any; returns its path.</summary>
    public static string WriteNew(string directory, TunnelModel tunnel)
    {
        var path = PathIn(directory, tunnel);
        SiteCredentials.WritePrivate(path, Generate());
        return path;
    }

    /// <summary>Removes <paramref name="tunnel"/>'s key, if any: a removed tunnel's secret must not linger.</summary>
    public static void Delete(string directory, TunnelModel tunnel)
    {
        var path = PathIn(directory, tunnel);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
