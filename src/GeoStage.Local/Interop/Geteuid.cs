using System.Runtime.InteropServices;

namespace GeoStage.Local.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint Geteuid();
}
