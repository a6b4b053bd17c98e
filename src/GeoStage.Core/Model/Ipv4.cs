using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace GeoStage.Core.Model;

/// <summary>IPv4 arithmetic on networks and addresses.</summary>
public static class Ipv4
{
    public static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    public static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static uint First(IPNetwork network) => ToUInt(network.BaseAddress);

    public static uint Last(IPNetwork network) => First(network) | (network.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - network.PrefixLength)) - 1);

    public static bool Overlaps(IPNetwork a, IPNetwork b) => First(a) <= Last(b) && First(b) <= Last(a);

    /// <summary>The usable host range: all but the network and broadcast addresses (a /31 or /32 keeps all).</summary>
    public static (uint First, uint Last) Hosts(IPNetwork network) =>
        network.PrefixLength >= 31 ? (First(network), Last(network)) : (First(network) + 1, Last(network) - 1);

    public static bool IsHost(IPNetwork network, IPAddress address)
    {
        var (first, last) = Hosts(network);
        var value = ToUInt(address);
        return value >= first && value <= last;
    }

    /// <summary>Parses a canonical IPv4 CIDR; returns what is wrong otherwise.</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out string problem)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !int.TryParse(text.AsSpan(slash + 1), out var prefix) || prefix is < 0 or > 32)
        {
            problem = $"'{text}' is not a CIDR; write it as address/prefix, e.g. 192.168.10.0/24";
            return false;
        }

        if (!TryParseAddress(text[..slash], out var address, out problem))
        {
            problem = $"'{text}' is not an IPv4 CIDR: {problem}";
            return false;
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        var value = ToUInt(address);
        if ((value & ~mask) != 0)
        {
            problem = $"'{text}' has host bits set; did you mean {FromUInt(value & mask)}/{prefix}?";
            return false;
        }

        network = new IPNetwork(address, prefix);
        return true;
    }

    public static bool TryParseAddress(string text, out IPAddress address, out string problem)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length != 4 || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork)
        {
            problem = text.Contains(':', StringComparison.Ordinal)
                ? $"'{text}' is IPv6; only IPv4 is supported"
                : $"'{text}' is not an IPv4 address (four numbers 0-255 separated by dots)";
            return false;
        }

        address = parsed;
        problem = "";
        return true;
    }
}
