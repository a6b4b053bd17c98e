using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GeoStage.Local.Interop;

internal static partial class Libc
{
    public const int CloneNewNet = 0x40000000;

    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    private static partial int SetnsNative(SafeFileHandle fd, int nstype);

    /// <summary>Moves the calling thread (only it) into the network namespace open at <paramref name="fd"/>.</summary>
    public static void Setns(SafeFileHandle fd) => Check(SetnsNative(fd, CloneNewNet), "setns");
}
