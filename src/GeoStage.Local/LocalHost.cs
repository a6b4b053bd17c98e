using GeoStage.Local.Interop;

namespace GeoStage.Local;

/// <summary>Facts about the machine the local backend runs on.</summary>
public static class LocalHost
{
    public static bool IsRoot => Libc.Geteuid() == 0;

}
