using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace GeoStage.Local.Interop;

internal static partial class Libc
{
    private const ulong SiocGifFlags = 0x8913;
    private const short IffUp = 0x1;

    /// <summary>struct ifreq as SIOCGIFFLAGS reads it: the name, then the flags in the union (40 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private unsafe struct InterfaceRequest
    {
        public fixed byte Name[16];
        public short Flags;
    }

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int IoctlNative(SafeHandle fd, ulong request, InterfaceRequest* argument);

    /// <summary>
    /// Whether <paramref name="device"/> is administratively up (IFF_UP), in the network namespace of
    /// <paramref name="socket"/>: a socket answers for the namespace it was created in.
    /// </summary>
    public static unsafe bool IsUp(Socket socket, string device)
    {
        var request = default(InterfaceRequest);
        var name = Encoding.ASCII.GetBytes(device);
        if (name.Length > 15)
        {
            throw new ArgumentException($"interface name '{device}' is longer than 15 characters", nameof(device));
        }

        for (var i = 0; i < name.Length; i++)
        {
            request.Name[i] = name[i];
        }

        Check(IoctlNative(socket.SafeHandle, SiocGifFlags, &request), $"ioctl(SIOCGIFFLAGS, {device})");
        return (request.Flags & IffUp) != 0;
    }
}
