using System.Numerics;
using System.Security.Cryptography;

namespace GeoStage.Overlay.WireGuard;

/// <summary>
/// Curve25519 key pairs as WireGuard uses them (RFC 7748's X25519), so that keys need no <c>wg genkey</c>
/// process per site. Only public keys are derived here, once per site and from a fresh random private key:
/// the ladder below is not constant-time, which matters for a long-lived secret under a timing attacker,
/// not for deriving a staging router's public key once on the machine that holds the secret anyway.
/// </summary>
public static class X25519
{
    private static readonly BigInteger s_p = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger s_a24 = 121665;

    /// <summary>A new private key: 32 random bytes, clamped as RFC 7748 (and <c>wg genkey</c>) do.</summary>
    public static byte[] NewPrivateKey()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        Clamp(key);
        return key;
    }

    /// <summary>The public key of <paramref name="privateKey"/>: its scalar times the base point u = 9.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        Span<byte> basePoint = stackalloc byte[32];
        basePoint[0] = 9;
        return ScalarMult(privateKey, basePoint);
    }

    /// <summary>RFC 7748 section 5: the u-coordinate of <paramref name="scalar"/> times the point <paramref name="u"/>.</summary>
    public static byte[] ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> u)
    {
        if (scalar.Length != 32 || u.Length != 32)
        {
            throw new ArgumentException("X25519 scalars and points are 32 bytes");
        }

        var k = scalar.ToArray();
        Clamp(k);
        var uBytes = u.ToArray();
        uBytes[31] &= 127;
        var x1 = new BigInteger(uBytes, isUnsigned: true, isBigEndian: false);
        var scalarValue = new BigInteger(k, isUnsigned: true, isBigEndian: false);

        BigInteger x2 = 1, z2 = 0, x3 = x1, z3 = 1;
        var swap = 0;
        for (var t = 254; t >= 0; t--)
        {
            var bit = (int)((scalarValue >> t) & 1);
            swap ^= bit;
            if (swap == 1)
            {
                (x2, x3) = (x3, x2);
                (z2, z3) = (z3, z2);
            }

            swap = bit;
            var a = x2 + z2;
            var aa = Mod(a * a);
            var b = x2 - z2;
            var bb = Mod(b * b);
            var e = aa - bb;
            var c = x3 + z3;
            var d = x3 - z3;
            var da = Mod(d * a);
            var cb = Mod(c * b);
            var sum = da + cb;
            var difference = da - cb;
            x3 = Mod(sum * sum);
            z3 = Mod(x1 * Mod(difference * difference));
            x2 = Mod(aa * bb);
            z2 = Mod(e * (aa + (s_a24 * e)));
        }

        if (swap == 1)
        {
            (x2, z2) = (x3, z3);
        }

        var result = Mod(x2 * BigInteger.ModPow(z2, s_p - 2, s_p));
        var bytes = new byte[32];
        result.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }

    private static void Clamp(Span<byte> key)
    {
        key[0] &= 248;
        key[31] &= 127;
        key[31] |= 64;
    }

    private static BigInteger Mod(BigInteger value)
    {
        var r = value % s_p;
        return r.Sign < 0 ? r + s_p : r;
    }
}
