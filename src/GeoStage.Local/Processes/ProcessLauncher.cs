using System.Diagnostics;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local.Processes;

/// <summary>
/// Starts long-lived processes inside a namespace, detached from the CLI: in a session of their own (so
/// Ctrl+C at the terminal does not reach them), stdin from /dev/null, output appended to a log file.
/// The shell execs setsid, which execs nsenter, which execs the program, so the PID returned is the
/// program's own (see <see cref="ExternalProgram.StartDetached"/>).
/// </summary>
public static class ProcessLauncher
{
    public static (Process Process, ProcessRecord Record) Start(string role, string ns, IReadOnlyList<string> command, string logFile) =>
        Start(role, ns, command, logFile, environment: null, workingDirectory: null);

    /// <summary>
    /// Starts <paramref name="command"/> with exactly <paramref name="environment"/> (when given, nothing of
    /// GeoStage's own environment leaks in) in <paramref name="workingDirectory"/>.
    /// </summary>
    public static (Process Process, ProcessRecord Record) Start(
        string role, string ns, IReadOnlyList<string> command, string logFile, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var process = ExternalProgram.StartDetached(
            "geostage-launch", logFile, ["nsenter", $"--net={Ip.PathOf(ns)}", "--", .. command], environment, replaceEnvironment: environment is not null, workingDirectory);
        var ticks = ProcTable.StartTicks(process.Id) ?? throw new ToolException($"{command[0]} in {ns} exited at once; see {logFile}");
        return (process, new ProcessRecord
        {
            Role = role,
            Namespace = ns,
            Pid = process.Id,
            StartTicks = ticks,
            Command = command,
            LogFile = logFile,
        });
    }
}
