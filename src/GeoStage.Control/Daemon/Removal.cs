using GeoStage.Core.Processes;
using System.Globalization;
using GeoStage.Core.State;

namespace GeoStage.Control.Daemon;

/// <summary>
/// How down and serve keep out of each other's way. Down marks the environment as being removed (a
/// file naming its pid), stops the daemon, then holds daemon.lock, the lock every daemon holds for its
/// whole life, until the state directory is gone. A daemon started meanwhile either cannot take the lock
/// or takes it, sees the mark and leaves: it never restarts tunnels that down has just ended, nor writes
/// into a directory down is deleting ("Directory not empty").
/// Concurrency: between processes, by flock on daemon.lock (the kernel drops it when its holder dies).
/// </summary>
public static class Removal
{
    public const string LockName = "daemon.lock";
    public const string MarkName = "removing";

    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(3);

    /// <summary>Opens daemon.lock exclusively; null when another process holds it.</summary>
    /// <param name="create">Create the file when absent. A daemon does so only for an environment that is up,
    /// so that it never puts a file back into a directory that down is deleting.</param>
    public static FileStream? TryLock(string dir, bool create)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (create)
            {
                (options.Mode, options.UnixCreateMode) = (FileMode.OpenOrCreate, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return new FileStream(Path.Combine(dir, LockName), options);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Null when the environment is not being removed, else why a daemon must not start.</summary>
    public static string? Refusal(StateStore states, string name)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(states.DirectoryOf(name), MarkName));
        }
        catch (IOException)
        {
            return Directory.Exists(states.DirectoryOf(name)) ? null : $"environment '{name}' is being removed";
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var alive = parts.Length == 2
            && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
            && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks)
            && ProcTable.IsAlive(pid, ticks);
        return alive
            ? $"environment '{name}' is being removed ('geostage down', pid {parts[0]}); bring it up again once it is gone"
            : $"environment '{name}' was being removed when 'geostage down' stopped; run 'geostage down --name {name}' to finish";
    }

    /// <summary>
    /// Marks the environment as being removed, stops its daemon (any that starts meanwhile too) and holds
    /// daemon.lock until disposed. The mark stays: the state directory goes with it, and if down fails
    /// part-way, no daemon brings a half-removed environment back to life.
    /// </summary>
    public static async Task<IDisposable> StopDaemonAndHoldAsync(StateStore states, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var dir = states.EnsureDirectory(name);
        var self = Environment.ProcessId;
        await File.WriteAllTextAsync(Path.Combine(dir, MarkName), $"{self} {ProcTable.StartTicks(self)}", cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(Path.Combine(dir, MarkName), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (TryLock(dir, create: true) is { } held)
            {
                return held;
            }

            // Read again each time: a daemon that started after down began records itself once it has the lock.
            var daemons = states.Load(name)?.Processes.Where(p => p.Role == ControlDaemon.Role).ToList() ?? [];
            await Task.WhenAll(daemons.Select(p => HostProcesses.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"the control daemon of '{name}' still holds {Path.Combine(dir, LockName)} after {timeout.TotalSeconds:0} s; end it ('geostage status' shows its pid) and run down again");
            }
        }
    }
}
