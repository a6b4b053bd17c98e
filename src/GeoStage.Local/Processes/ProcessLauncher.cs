using System.Diagnostics;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Interop;
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

    /// <summary>
    /// Ends a recorded process: SIGTERM, then SIGKILL after <paramref name="grace"/>. Signals only the
    /// process that was started (same PID and start time), never a later one reusing the PID.
    /// </summary>
    public static Task StopAsync(int pid, ulong startTicks, TimeSpan grace, CancellationToken cancellationToken) =>
        StopAsync(pid, startTicks, grace, group: false, cancellationToken);

    /// <summary>
    /// SIGKILLs every process left in process group <paramref name="pgid"/> (one that ignored SIGTERM and
    /// outlived its leader); false when the group is empty. Safe after the leader is gone: Linux never
    /// hands out a PID that still names a process group.
    /// </summary>
    public static bool KillGroup(int pgid)
    {
        // kill(0) and kill(-1) would signal our own group or every process we may signal.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pgid, 1);
        return Libc.Kill(-pgid, Libc.SigKill);
    }

    /// <summary>
    /// With <paramref name="group"/>, signals the process's whole process group: a process started here is
    /// its group's leader (setsid), so the children it forked end with it.
    /// </summary>
    public static async Task StopAsync(int pid, ulong startTicks, TimeSpan grace, bool group, CancellationToken cancellationToken)
    {
        var target = group ? -pid : pid;
        if (!ProcTable.IsAlive(pid, startTicks) || !Libc.Kill(target, Libc.SigTerm))
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        while (ProcTable.IsAlive(pid, startTicks))
        {
            if (deadline.Elapsed > grace)
            {
                Libc.Kill(target, Libc.SigKill);
                grace = TimeSpan.MaxValue;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }
}
