using System.Globalization;

namespace GeoStage.Core.Validation;

/// <summary>
/// What the host can hold, read from /proc: the bounds a topology is checked against before anything is
/// built. A record so that tests can state a host instead of needing one.
/// </summary>
/// <param name="PidMax">kernel.pid_max: the most processes and threads that can exist at once.</param>
/// <param name="ThreadsMax">kernel.threads-max: the same bound, from memory.</param>
/// <param name="ThreadsNow">Threads (each takes a pid) that exist now.</param>
/// <param name="MaxNetNamespaces">user.max_net_namespaces.</param>
/// <param name="NetNamespacesNow">Named network namespaces that exist now (/run/netns).</param>
public sealed record HostLimits(long PidMax, long ThreadsMax, long ThreadsNow, long MaxNetNamespaces, long NetNamespacesNow)
{
    /// <summary>Left free for everything else on the host (shells, builds, other environments) to start.</summary>
    public long Headroom => Math.Max(1024, Math.Min(PidMax, ThreadsMax) / 10);

    /// <summary>Processes a new environment may start: the tighter kernel bound, minus what runs, minus headroom.</summary>
    public long ProcessesAvailable => Math.Max(0, Math.Min(PidMax, ThreadsMax) - ThreadsNow - Headroom);

    /// <summary>The name of the bound <see cref="ProcessesAvailable"/> comes from.</summary>
    public string ProcessBound => PidMax <= ThreadsMax ? "pid_max" : "threads-max";

    /// <summary>Memory that can be given to new processes without swapping (MemAvailable of /proc/meminfo), in bytes.</summary>
    public long MemoryAvailable { get; init; } = long.MaxValue;

    /// <summary>Of <see cref="MemoryAvailable"/>, what a new environment may take: a quarter stays free for everything else.</summary>
    public long MemoryForEnvironment => MemoryAvailable == long.MaxValue ? long.MaxValue : MemoryAvailable / 4 * 3;

    /// <summary>This host, now. A value that cannot be read counts as unbounded: the check is a courtesy, not a gate.</summary>
    public static HostLimits Read() => new(
        Number("/proc/sys/kernel/pid_max"),
        Number("/proc/sys/kernel/threads-max"),
        ThreadsRunning(),
        Number("/proc/sys/user/max_net_namespaces"),
        Directory.Exists("/run/netns") ? Directory.GetFileSystemEntries("/run/netns").Length : 0)
    {
        MemoryAvailable = MemAvailable(),
    };

    private static long MemAvailable()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            return long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value * 1024 : long.MaxValue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return long.MaxValue;
        }
    }

    private static long Number(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : long.MaxValue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>The 4th field of /proc/loadavg, "running/total", counts every thread (each holds a pid).</summary>
    private static long ThreadsRunning()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            var slash = fields.Length > 3 ? fields[3].IndexOf('/', StringComparison.Ordinal) : -1;
            return slash >= 0 && long.TryParse(fields[3][(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
