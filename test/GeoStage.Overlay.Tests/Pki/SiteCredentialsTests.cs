using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GeoStage.Overlay.Pki;
using Xunit;

namespace GeoStage.Overlay.Tests.Pki;

public sealed class SiteCredentialsTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string P256 = "1.2.840.10045.3.1.7";

    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Generate_Certificate_FingerprintIsWhatOpensslPrints()
    {
        using var dir = new TempDir();
        var credentials = SiteCredentials.Generate("env", "a", TimeProvider.System);
        var (certificate, _) = credentials.WriteTo(dir.Path);

        var printed = Openssl.Run("x509", "-noout", "-fingerprint", "-sha256", "-in", certificate).Trim();

        Assert.Equal(credentials.Fingerprint, printed[(printed.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", credentials.Fingerprint);
    }

    [Fact]
    public void Generate_PrivateKey_IsUnencryptedPkcs8OnP256()
    {
        var credentials = SiteCredentials.Generate("env", "a", TimeProvider.System);
        using var key = ECDsa.Create();

        key.ImportFromPem(credentials.PrivateKeyPem);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", credentials.PrivateKeyPem, StringComparison.Ordinal);
        Assert.Equal(P256, key.ExportParameters(includePrivateParameters: false).Curve.Oid.Value);
    }

    [Fact]
    public void Generate_KeyAndCertificate_OpensslSaysTheyBelongTogether()
    {
        using var dir = new TempDir();
        var (certificate, key) = SiteCredentials.Generate("env", "a", TimeProvider.System).WriteTo(dir.Path);

        var keyText = Openssl.Run("pkey", "-in", key, "-noout", "-text");
        var fromKey = Openssl.Run("pkey", "-in", key, "-pubout");
        var fromCertificate = Openssl.Run("x509", "-in", certificate, "-noout", "-pubkey");

        Assert.Contains("NIST CURVE: P-256", keyText, StringComparison.Ordinal);
        Assert.Equal(fromKey, fromCertificate);
    }

    [Fact]
    public void Generate_Certificate_SelfSignedLeafNamedAfterSiteAndEnvironment()
    {
        var credentials = SiteCredentials.Generate("seed", "b", new FixedTime(s_now));

        using var certificate = X509Certificate2.CreateFromPem(credentials.CertificatePem);

        Assert.Equal("CN=b.seed.geostage, O=GeoStage", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.Equal(s_now.AddMinutes(-5), new DateTimeOffset(certificate.NotBefore.ToUniversalTime()));
        Assert.Equal(s_now.AddYears(10), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("b", credentials.Site);
    }

    [Fact]
    public void Generate_TwoSites_DifferentKeysAndFingerprints()
    {
        var a = SiteCredentials.Generate("env", "a", TimeProvider.System);
        var b = SiteCredentials.Generate("env", "b", TimeProvider.System);

        Assert.NotEqual(a.PrivateKeyPem, b.PrivateKeyPem);
        Assert.NotEqual(a.CertificatePem, b.CertificatePem);
        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
    }

    [Fact]
    public void WriteTo_Files_NamedAfterTheSiteWithMode0600()
    {
        using var dir = new TempDir();
        var credentials = SiteCredentials.Generate("env", "east", TimeProvider.System);

        var (certificate, key) = credentials.WriteTo(dir.Path);

        Assert.Equal(Path.Combine(dir.Path, "east.crt"), certificate);
        Assert.Equal(Path.Combine(dir.Path, "east.key"), key);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(certificate));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(key));
        Assert.Equal(credentials.CertificatePem, File.ReadAllText(certificate));
        Assert.Equal(credentials.PrivateKeyPem, File.ReadAllText(key));
    }

    [Fact]
    public void WriteTo_ExistingFilesReadableByOthers_Become0600()
    {
        using var dir = new TempDir();
        var key = Path.Combine(dir.Path, "east.key");
        File.WriteAllText(key, "old");
        File.SetUnixFileMode(key, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var credentials = SiteCredentials.Generate("env", "east", TimeProvider.System);

        credentials.WriteTo(dir.Path);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(key));
        Assert.Equal(credentials.PrivateKeyPem, File.ReadAllText(key));
    }
}
