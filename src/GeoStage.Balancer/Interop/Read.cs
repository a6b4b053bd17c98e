using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GeoStage.Balancer.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(SafeFileHandle fd, byte* buffer, nuint count);

    /// <summary>read(2): the count read, 0 at the end, or -errno.</summary>
    public static unsafe long Read(SafeFileHandle fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var read = ReadNative(fd, start, (nuint)buffer.Length);
            return read >= 0 ? read : -Marshal.GetLastPInvokeError();
        }
    }
}
