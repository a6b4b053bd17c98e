using System.Runtime.InteropServices;

namespace GeoStage.Balancer.Interop;

internal static partial class Libc
{
    private const uint SpliceMove = 1;
    private const uint SpliceNonBlock = 2;

    [LibraryImport(Name, EntryPoint = "splice", SetLastError = true)]
    private static partial nint SpliceNative(SafeHandle fdIn, nint offIn, SafeHandle fdOut, nint offOut, nuint length, uint flags);

    /// <summary>
    /// Moves up to <paramref name="length"/> bytes between a socket and a pipe inside the kernel, without
    /// blocking: the count moved, 0 at the end of the input, or -errno (-<see cref="EAgain"/>: nothing can
    /// move now). Both descriptors must be non-blocking for the call never to block.
    /// </summary>
    public static long Splice(SafeHandle from, SafeHandle to, int length)
    {
        var moved = SpliceNative(from, 0, to, 0, (nuint)length, SpliceMove | SpliceNonBlock);
        return moved >= 0 ? moved : -Marshal.GetLastPInvokeError();
    }
}
