namespace GeoStage.Core.Validation;

/// <summary>Finding a workload's program as a shell would, and saying why one cannot run.</summary>
public sealed partial class WorkloadValidator
{
    /// <summary>The absolute path of an executable <paramref name="command"/>, or null and what is wrong.</summary>
    public static string? FindCommand(string command, out string? problem)
    {
        problem = null;
        if (command.Contains('/', StringComparison.Ordinal))
        {
            if (IsExecutable(command))
            {
                return Path.GetFullPath(command);
            }

            problem = NotRunnable(command);
            return null;
        }

        // As a shell looks it up: a file of that name that is not executable does not hide a later one.
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(IsExecutable);
        if (found is null)
        {
            problem = $"command '{command}' is not on the PATH; give its absolute path or install it";
        }

        return found;
    }

    /// <summary>Why <paramref name="command"/> cannot be run: a directory used to read "does not exist",
    /// and a file without an execute bit is best fixed knowing its mode.</summary>
    private static string NotRunnable(string command)
    {
        if (Directory.Exists(command))
        {
            return $"'{command}' is a directory; give the path of the program inside it";
        }

        if (!File.Exists(command))
        {
            return $"command '{command}' does not exist";
        }

        var mode = Convert.ToString((int)File.GetUnixFileMode(command), 8).PadLeft(4, '0');
        return $"'{command}' is not executable (mode {mode}); chmod +x it";
    }

    private static bool IsExecutable(string file) =>
        File.Exists(file) && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
