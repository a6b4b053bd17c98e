using System.Globalization;

namespace GeoStage.Bench;

/// <summary>Memory of a set of live processes, as /proc tells it.</summary>
internal sealed record ProcessMemory(int Processes, long RssKb, long PssKb);

internal static class ProcMemory
{
    /// <summary>
    /// VmRSS counts shared pages (libcrypto, libc) once per process, so the sum overstates what N
    /// OpenVPN processes cost together; Pss (from smaps_rollup) splits shared pages between their users.
    /// Processes that have exited meanwhile are left out.
    /// </summary>
    public static ProcessMemory Sum(IEnumerable<int> pids)
    {
        int count = 0;
        long rss = 0, pss = 0;
        foreach (var pid in pids.Distinct())
        {
            var status = Field($"/proc/{pid}/status", "VmRSS:");
            if (status is null)
            {
                continue;
            }

            count++;
            rss += status.Value;
            pss += Field($"/proc/{pid}/smaps_rollup", "Pss:") ?? 0;
        }

        return new ProcessMemory(count, rss, pss);
    }

    /// <summary>The kB figure of a "Name:   1234 kB" line, or null when the file or line is missing.</summary>
    internal static long? Field(string path, string name)
    {
        try
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is [_, var value, ..] && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
