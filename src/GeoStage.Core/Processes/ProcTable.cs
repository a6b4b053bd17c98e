using System.Globalization;

namespace GeoStage.Core.Processes;

/// <summary>Reads /proc: whether a recorded process is still the one GeoStage started, and which
/// processes live in a given network namespace.</summary>
public static class ProcTable
{
    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null when gone.</summary>
    public static ulong? StartTicks(int pid) =>
        Stat(pid) is { } fields && fields[0] != "Z" ? ulong.Parse(fields[19], CultureInfo.InvariantCulture) : null;

    /// <summary>The parent's PID (field 4 of /proc/PID/stat), or null when the process is gone.</summary>
    public static int? ParentOf(int pid) =>
        Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>CPU time used so far, user plus system, all threads (fields 14 and 15, in 1/100 s), or null when gone.</summary>
    public static TimeSpan? CpuTime(int pid) =>
        Stat(pid) is { } fields
            ? TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10)
            : null;

    /// <summary>The fields of /proc/PID/stat from field 3 on (index 0 is field 3), or null when the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is <paramref name="ancestor"/> or one of its descendants.</summary>
    public static bool DescendsFrom(int pid, int ancestor)
    {
        for (var current = (int?)pid; current is > 1; current = ParentOf(current.Value))
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="pid"/> runs and is the process that started at <paramref name="startTicks"/>.</summary>
    public static bool IsAlive(int pid, ulong startTicks) => StartTicks(pid) == startTicks;

    /// <summary>PIDs of live processes whose network namespace is <paramref name="identity"/> ("net:[INODE]").</summary>
    public static IReadOnlyList<int> InNamespace(string identity)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (new FileInfo(Path.Combine(dir, "ns", "net")).LinkTarget == identity && StartTicks(pid) is not null)
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return pids;
    }
}
