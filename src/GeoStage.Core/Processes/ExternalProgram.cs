using System.Diagnostics;

namespace GeoStage.Core.Processes;

/// <summary>
/// The one way GeoStage runs another program: finds it on the PATH, builds its start info (an argument
/// list, never a shell string unless the caller runs /bin/sh itself), and starts it. Running to completion
/// is in ExternalProgram.Run.cs, starting detached in ExternalProgram.Detached.cs; both start through here.
/// </summary>
public static partial class ExternalProgram
{
    /// <summary>Where programs are looked for when the PATH is unset, and the PATH GeoStage gives the programs it runs.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The directories of <paramref name="pathVariable"/> in order, or of <see cref="DefaultPath"/> when it is unset.</summary>
    public static IReadOnlyList<string> SearchDirectories(string? pathVariable) =>
        (pathVariable ?? DefaultPath).Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The path of an executable <paramref name="command"/> on this process's PATH, or null and what is wrong.</summary>
    public static string? Find(string command, out string? problem) =>
        Find(command, Environment.GetEnvironmentVariable("PATH"), out problem);

    /// <summary>
    /// The path of an executable <paramref name="command"/>: as given when it names a path (made absolute),
    /// else the first executable file of that name in <paramref name="pathVariable"/>'s directories (the
    /// default PATH when null), as a shell looks it up. Null, and what is wrong, when there is none.
    /// </summary>
    public static string? Find(string command, string? pathVariable, out string? problem)
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

        // A file of that name that is not executable does not hide a later one, as in a shell.
        var found = SearchDirectories(pathVariable).Select(dir => Path.Combine(dir, command)).FirstOrDefault(IsExecutable);
        if (found is null)
        {
            problem = $"command '{command}' is not on the PATH; give its absolute path or install it";
        }

        return found;
    }

    /// <summary>
    /// Start info for <paramref name="program"/> with <paramref name="arguments"/>, each passed as is.
    /// <paramref name="environment"/> is added to GeoStage's own, or with <paramref name="replaceEnvironment"/>
    /// is the whole environment (nothing of GeoStage's leaks in). Without <paramref name="capture"/> the
    /// program shares GeoStage's stdout and stderr.
    /// </summary>
    public static ProcessStartInfo StartInfo(
        string program,
        IEnumerable<string> arguments,
        bool capture = false,
        IReadOnlyDictionary<string, string>? environment = null,
        bool replaceEnvironment = false,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = capture,
            RedirectStandardError = capture,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (replaceEnvironment)
        {
            info.Environment.Clear();
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>Starts <paramref name="info"/>; a program that is not there or not executable throws Win32Exception.</summary>
    public static Process Start(ProcessStartInfo info) =>
        Process.Start(info) ?? throw new ToolException($"could not start '{Describe(info)}'");

    /// <summary>The command line as error messages show it: the program and its arguments, space-separated.</summary>
    public static string Describe(ProcessStartInfo info) => info.FileName + " " + string.Join(' ', info.ArgumentList);

    private static string NotRunnable(string command)
    {
        // A directory used to read "does not exist", and a file without an execute bit is best fixed knowing its mode.
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
