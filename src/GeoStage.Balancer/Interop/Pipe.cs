using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GeoStage.Balancer.Interop;

internal static partial class Libc
{
    private const int OCloexec = 0x80000;

    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2Native(int* fds, int flags);

    /// <summary>A non-blocking, close-on-exec pipe: (read end, write end).</summary>
    public static unsafe (SafeFileHandle Read, SafeFileHandle Write) Pipe(int capacity)
    {
        var fds = stackalloc int[2];
        if (Pipe2Native(fds, ONonBlock | OCloexec) == -1)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        var read = new SafeFileHandle(fds[0], ownsHandle: true);
        var write = new SafeFileHandle(fds[1], ownsHandle: true);
        TrySetPipeSize(write, capacity);
        return (read, write);
    }
}
