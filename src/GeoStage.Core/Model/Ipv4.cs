using System.Buffers.Binary;
using System.Net;

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
        if (slash >= 0 && text[..slash].Contains(':', StringComparison.Ordinal))
        {
            problem = $"'{text}' is IPv6; only IPv4 is supported";
            return false;
        }

        if (slash < 0 || !TryParseDecimal(text.AsSpan(slash + 1), 32, out var prefix))
        {
            problem = $"'{text}' is not a CIDR; write it as address/prefix with a prefix from 0 to 32, e.g. 192.168.10.0/24";
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

    /// <summary>
    /// Parses dotted-quad IPv4 strictly: four decimal numbers 0-255 without leading zeros. The platform
    /// parser would read 10.4.0.010 as octal (10.4.0.8), which no one writing a topology means.
    /// </summary>
    public static bool TryParseAddress(string text, out IPAddress address, out string problem)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            problem = $"'{text}' is IPv6; only IPv4 is supported";
            return false;
        }

        var parts = text.Split('.');
        var bytes = new byte[4];
        for (var i = 0; i < parts.Length && parts.Length == 4; i++)
        {
            if (!TryParseDecimal(parts[i], 255, out var part))
            {
                problem = parts[i].Length > 1 && parts[i][0] == '0' && parts[i].All(char.IsAsciiDigit)
                    ? $"'{text}' has a number with a leading zero ({parts[i]}); write it without, e.g. {part}"
                    : $"'{text}' is not an IPv4 address (four numbers 0-255 separated by dots)";
                return false;
            }

            bytes[i] = (byte)part;
        }

        if (parts.Length != 4)
        {
            problem = $"'{text}' is not an IPv4 address (four numbers 0-255 separated by dots)";
            return false;
        }

        address = new IPAddress(bytes);
        problem = "";
        return true;
    }

    /// <summary>A plain decimal number from 0 to <paramref name="max"/>: digits only, no sign, no leading zero.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<char> text, int max, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 3)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return value <= max && (text.Length == 1 || text[0] != '0');
    }
}
