using System.Runtime.InteropServices;

namespace GeoStage.Local.Interop;

internal static partial class Libc
{
    public const string Name = "libc";

    /// <summary>Throws for a -1 return, naming the call and errno's meaning.</summary>
    public static void Check(int result, string call)
    {
        if (result == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})") { HResult = errno };
        }
    }
}
