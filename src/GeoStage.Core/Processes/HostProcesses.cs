using System.Diagnostics;
using GeoStage.Core.Interop;

namespace GeoStage.Core.Processes;

/// <summary>
/// This host's own processes, whatever backend runs the environment: the daemon, its hooks, and the
/// processes a backend starts here. Every stop is by PID and start time, so never a later process
/// that reuses the PID.
/// </summary>
public static class HostProcesses
{
    /// <summary>
    /// Ends a recorded process: SIGTERM, then SIGKILL after <paramref name="grace"/>. Signals only the
    /// process that was started (same PID and start time), never a later one reusing the PID.
    /// </summary>
    public static Task StopAsync(int pid, ulong startTicks, TimeSpan grace, CancellationToken cancellationToken) =>
        StopAsync(pid, startTicks, grace, group: false, cancellationToken);

    /// <summary>
    /// With <paramref name="group"/>, signals the process's whole process group: a process started
    /// detached is its group's leader (setsid), so the children it forked end with it.
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
    /// From now on this process, and every process it starts, creates files 0600 and directories 0700
    /// whatever mode a call asks for: state holds keys and logs of workloads, and not every file is made
    /// through a call that takes a mode (shell redirections, log rotation, tools that write their own).
    /// </summary>
    public static void KeepNewFilesPrivate() => _ = Libc.Umask(0b000_111_111);
}
