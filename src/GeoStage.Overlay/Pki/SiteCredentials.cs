using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GeoStage.Core.Overlay;

namespace GeoStage.Overlay.Pki;

/// <summary>
/// A site router's identity: an ECDSA P-256 key and a self-signed certificate. Tunnels authenticate
/// each end by the SHA-256 fingerprint of the other's certificate (OpenVPN's --peer-fingerprint), so no
/// CA exists whose key could sign a rogue router: only routers of this environment are trusted.
/// </summary>
public sealed record SiteCredentials(string Site, string CertificatePem, string PrivateKeyPem, string Fingerprint)
{
    public static SiteCredentials Generate(string environment, string site, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={site}.{environment}.geostage, O=GeoStage", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        return new SiteCredentials(site, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), FingerprintOf(certificate));
    }

    /// <summary>The fingerprint of a site's certificate as written by <see cref="WriteTo"/> into <paramref name="directory"/>.</summary>
    public static string FingerprintIn(string directory, string site)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, $"{site}.crt")));
        return FingerprintOf(certificate);
    }

    /// <summary>The certificate's SHA-256 fingerprint as OpenVPN prints it: upper-case hex pairs joined by ':'.</summary>
    public static string FingerprintOf(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Writes the certificate and key into <paramref name="directory"/>, mode 0600; returns their paths.</summary>
    public (string Certificate, string Key) WriteTo(string directory)
    {
        var certificate = Path.Combine(directory, $"{Site}.crt");
        var key = Path.Combine(directory, $"{Site}.key");
        WritePrivate(certificate, CertificatePem);
        WritePrivate(key, PrivateKeyPem);
        return (certificate, key);
    }

    internal static void WritePrivate(string path, string text) => PrivateFile.Write(path, text);
}
