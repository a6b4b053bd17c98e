using System.Runtime.InteropServices;

namespace GeoStage.Core.Interop;

internal static partial class Libc
{
    /// <summary>Sets the process's file mode creation mask; answers the previous one. It cannot fail.</summary>
    [LibraryImport(Name, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);
}
