using GeoStage.Core.Model;
using GeoStage.Overlay.Pki;
using Xunit;

namespace GeoStage.Overlay.Tests.Pki;

/// <summary>
/// The tunnels' tls-crypt keys as files. That OpenVPN accepts them, and that the two ends of a tunnel agree,
/// the local backend's root tests show with real tunnels.
/// </summary>
public sealed class TlsCryptKeyTests
{
    private static readonly TunnelModel s_tunnel = new() { Index = 0, Server = "east", Client = "west", Port = 1194 };

    [Fact]
    public void Generate_Key_OpenVpnStaticKeyV1With256BytesIn16LinesOf32Hex()
    {
        var lines = TlsCryptKey.Generate().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();

        Assert.Equal(18, lines.Count);
        Assert.Equal("-----BEGIN OpenVPN Static key V1-----", lines[0]);
        Assert.Equal("-----END OpenVPN Static key V1-----", lines[^1]);
        Assert.All(lines[1..^1], l => Assert.Matches("^[0-9a-f]{32}$", l));
        Assert.Equal(TlsCryptKey.Size, Convert.FromHexString(string.Concat(lines[1..^1])).Length);
    }

    [Fact]
    public void Generate_TwoKeys_Differ()
    {
        Assert.NotEqual(Material(TlsCryptKey.Generate()), Material(TlsCryptKey.Generate()));
    }

    [Fact]
    public void WriteNew_ExistingFileWithOpenMode_ReplacedAndMode0600()
    {
        using var dir = new TempDir();
        var path = TlsCryptKey.PathIn(dir.Path, s_tunnel);
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);

        var written = TlsCryptKey.WriteNew(dir.Path, s_tunnel);

        Assert.Equal(Path.Combine(dir.Path, "east-west.tlscrypt"), written);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written));
        Assert.Equal(TlsCryptKey.Size * 2, Material(File.ReadAllText(written)).Length);
    }

    [Fact]
    public void Delete_WrittenKey_GoneAndRepeatable()
    {
        using var dir = new TempDir();
        var path = TlsCryptKey.WriteNew(dir.Path, s_tunnel);

        TlsCryptKey.Delete(dir.Path, s_tunnel);
        TlsCryptKey.Delete(dir.Path, s_tunnel);
        TlsCryptKey.Delete(Path.Combine(dir.Path, "absent"), s_tunnel);

        Assert.False(File.Exists(path));
    }

    private static string Material(string key) =>
        string.Concat(key.Split('\n').Where(l => l.Length == 32 && !l.StartsWith('-')));
}
