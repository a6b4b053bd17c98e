using System.Diagnostics;

namespace GeoStage.Core.Processes;

public static partial class ExternalProgram
{
    // umask 077: the log, and whatever the program creates, is its owner's alone (logs name keys and peers).
    // The shell execs setsid, which execs the command, so the PID started is the command's own; arguments
    // travel as "$@", never through shell parsing.
    private const string DetachScript = "umask 077; log=$1; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1";

    /// <summary>
    /// Starts <paramref name="command"/> detached from GeoStage: in a session and process group of its own (so
    /// Ctrl+C at the terminal does not reach it, and a group signal ends its children too), stdin from
    /// /dev/null, stdout and stderr appended to <paramref name="logFile"/>. The process returned is the
    /// command itself once the shell and setsid have exec'd it; <paramref name="name"/> is the shell's $0, which
    /// its own error messages (a command not found) carry into the log.
    /// </summary>
    public static Process StartDetached(
        string name,
        string logFile,
        IReadOnlyList<string> command,
        IReadOnlyDictionary<string, string>? environment = null,
        bool replaceEnvironment = false,
        string? workingDirectory = null) =>
        Start(StartInfo("/bin/sh", ["-c", DetachScript, name, logFile, .. command], capture: false, environment, replaceEnvironment, workingDirectory));
}
