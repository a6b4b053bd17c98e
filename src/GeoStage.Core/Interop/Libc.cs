namespace GeoStage.Core.Interop;

/// <summary>The C library calls GeoStage makes about this host's own processes and files, whatever the backend.</summary>
internal static partial class Libc
{
    public const string Name = "libc";
}
