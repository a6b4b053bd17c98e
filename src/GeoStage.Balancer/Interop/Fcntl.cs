using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GeoStage.Balancer.Interop;

internal static partial class Libc
{
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int FSetPipeSize = 1031;

    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlNative(SafeHandle fd, int command, int argument);

    /// <summary>
    /// Sets O_NONBLOCK on a socket's descriptor. .NET sets it itself at the socket's first asynchronous
    /// operation; splice(2) needs it before, or a full socket would block the calling thread.
    /// </summary>
    public static void SetNonBlocking(SafeHandle socket)
    {
        var flags = FcntlNative(socket, FGetFl, 0);
        if (flags == -1 || FcntlNative(socket, FSetFl, flags | ONonBlock) == -1)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// Asks for a pipe of <paramref name="capacity"/> bytes. Best effort: an unprivileged process past
    /// /proc/sys/fs/pipe-user-pages-soft keeps the default.
    /// </summary>
    public static void TrySetPipeSize(SafeHandle pipe, int capacity) => _ = FcntlNative(pipe, FSetPipeSize, capacity);
}
