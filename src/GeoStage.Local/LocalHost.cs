using GeoStage.Local.Interop;

namespace GeoStage.Local;

/// <summary>Facts about the machine the local backend runs on.</summary>
public static class LocalHost
{
    public static bool IsRoot => Libc.Geteuid() == 0;

    /// <summary>
    /// From now on this process, and every process it starts, creates files 0600 and directories 0700
    /// whatever mode a call asks for: state holds keys and logs of workloads, and not every file is made
    /// through a call that takes a mode (shell redirections, log rotation, tools that write their own).
    /// </summary>
    public static void KeepNewFilesPrivate() => _ = Libc.Umask(0b000_111_111);
}
