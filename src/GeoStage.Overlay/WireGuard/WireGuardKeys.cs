using GeoStage.Core.Overlay;

namespace GeoStage.Overlay.WireGuard;

/// <summary>
/// A site's WireGuard private key in the overlay directory: base64 as <c>wg genkey</c> prints it, 0600, the
/// file <c>wg set ... private-key</c> reads. The public key is derived from it whenever asked, so no second
/// file can disagree with it.
/// </summary>
public static class WireGuardKeys
{
    public static string PrivateKeyPath(string directory, string site) => Path.Combine(directory, $"{site}.wg.key");

    /// <summary>Writes a new private key for <paramref name="site"/> (0600), replacing an earlier one; returns its path.</summary>
    public static string Write(string directory, string site)
    {
        var path = PrivateKeyPath(directory, site);
        PrivateFile.Write(path, Convert.ToBase64String(X25519.NewPrivateKey()) + "\n");
        return path;
    }

    /// <summary>The base64 public key of the private key in <paramref name="directory"/>.</summary>
    public static string PublicKeyIn(string directory, string site)
    {
        var path = PrivateKeyPath(directory, site);
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return key.Length == 32 ? Convert.ToBase64String(X25519.PublicKeyOf(key)) : throw new InvalidDataException($"{path} does not hold a 32-byte WireGuard key");
    }
}
