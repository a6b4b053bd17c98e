using System.Globalization;

namespace GeoStage.Bench;

/// <summary>
/// Finds an environment's control daemon in /proc. Neither <c>status</c> nor any other command prints
/// its PID (only the state database records it, with role "daemon"), so this looks for the process run
/// as <c>geostage serve --name ENV</c> whose environment holds the benchmark's own GEOSTAGE_STATE_DIR:
/// a daemon of an environment of the same name under another state directory is never taken.
/// </summary>
internal static class DaemonProcess
{
    public static DaemonMemory? Memory(string environment, string stateDirectory)
    {
        foreach (var pid in Pids())
        {
            if (IsDaemon(pid, environment, stateDirectory)
                && ProcMemory.Field($"/proc/{pid}/status", "VmRSS:") is { } rss
                && ProcMemory.Field($"/proc/{pid}/status", "VmHWM:") is { } hwm)
            {
                return new DaemonMemory(pid, rss, hwm);
            }
        }

        return null;
    }

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    private static bool IsDaemon(int pid, string environment, string stateDirectory)
    {
        try
        {
            // The launcher's sh execs setsid, which execs the CLI: skip the sh if caught before its exec.
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var name = Array.IndexOf(args, "--name");
            if (args[0] == "/bin/sh" || !args.Contains("serve") || name < 0 || name + 1 >= args.Length || args[name + 1] != environment)
            {
                return false;
            }

            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"GEOSTAGE_STATE_DIR={stateDirectory}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
