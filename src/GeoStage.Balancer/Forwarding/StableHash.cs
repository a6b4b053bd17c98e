using System.Net;

namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// FNV-1a with a SplitMix64 finish. Not <see cref="HashCode"/>: that is seeded per process, and two
/// balancers (a leader and its successor) must send a client to the same backend.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Of(IPAddress? address)
    {
        if (address is null)
        {
            return 0;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            // A dual-mode listener sees IPv4 clients as ::ffff:a.b.c.d; hash them as the IPv4 address they are.
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return Mix(Fnv(bytes[..written], FnvOffset));
    }

    public static ulong Of(IPEndPoint endPoint)
    {
        Span<byte> port = [(byte)(endPoint.Port >> 8), (byte)endPoint.Port];
        return Mix(Fnv(port, Of(endPoint.Address)));
    }

    /// <summary>The rendezvous score of one client on one backend.</summary>
    public static ulong Combine(ulong client, ulong backend) => Mix(client ^ backend);

    private static ulong Fnv(ReadOnlySpan<byte> bytes, ulong hash)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }

    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
        x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
        return x ^ (x >> 31);
    }
}
