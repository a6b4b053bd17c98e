using System.ComponentModel;
using System.Diagnostics;
using GeoStage.Core.Processes;

namespace GeoStage.Control.Balancers;

public sealed partial class HookRunner
{
    // util-linux's setsid exits 126 (cannot execute) or 127 (not found) with this message when its exec fails.
    private const string ExecFailed = "setsid: failed to execute ";
    private const int MaxShown = 300;
    private static readonly TimeSpan s_killGrace = TimeSpan.FromSeconds(2);

    // A hook may leave a background child holding its stdout; its last line is not worth waiting long for.
    private static readonly TimeSpan s_outputGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs one hook to its end (or kills it); returns how it ended. Throws only for the unforeseen.</summary>
    private async Task<string> RunAsync(Hook hook, CancellationToken abandon)
    {
        // setsid execs the hook in place (the runtime's child is no group leader, so it need not fork): the
        // PID is the hook's own and leads a new process group, which a timeout ends whole.
        var info = ExternalProgram.StartInfo("setsid", Arguments(hook).Prepend(hook.Command[0]).Prepend("--"), capture: true, new Dictionary<string, string>
        {
            ["GEOSTAGE_VIP"] = _vip,
            ["GEOSTAGE_NODE"] = _node,
            ["GEOSTAGE_TERM"] = hook.Term.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GEOSTAGE_ROLE"] = RoleName(hook.Role),

            // Replaces the balancer's definition (JSON), which the replica itself was started with.
            ["GEOSTAGE_BALANCER"] = _balancer,
        });

        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = ExternalProgram.Start(info);
        }
        catch (Win32Exception e)
        {
            return $"could not start: {e.Message}";
        }

        using (process)
        {
            var startTicks = ProcTable.StartTicks(process.Id);
            var stdout = new LastLine(process.StandardOutput);
            var stderr = new LastLine(process.StandardError);
            string? killed = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(abandon))
            {
                timeout.CancelAfter(_timeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // A stopping replica has little time left before the daemon SIGKILLs it: no grace then.
                    await KillAsync(process, startTicks, abandon.IsCancellationRequested ? TimeSpan.Zero : s_killGrace).ConfigureAwait(false);
                    killed = abandon.IsCancellationRequested
                        ? $"killed after {Milliseconds(clock)}: the balancer is stopping"
                        : $"timed out after {Seconds(_timeout)}: killed";
                }
            }

            await Task.WhenAny(Task.WhenAll(stdout.Done, stderr.Done), Task.Delay(s_outputGrace, CancellationToken.None)).ConfigureAwait(false);
            var last = stderr.Value ?? stdout.Value;
            if (killed is not null)
            {
                return WithOutput(killed, last);
            }

            if (process.ExitCode is 126 or 127 && last is not null && last.StartsWith(ExecFailed, StringComparison.Ordinal))
            {
                return $"could not start: {last[(last.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]}";
            }

            return process.ExitCode == 0
                ? $"exited 0 after {Milliseconds(clock)}"
                : WithOutput($"exited {process.ExitCode} after {Milliseconds(clock)}", last);
        }
    }

    /// <summary>SIGTERM to the hook's group, SIGKILL after <paramref name="grace"/>, then to whatever of the group is left.</summary>
    private static async Task KillAsync(Process process, ulong? startTicks, TimeSpan grace)
    {
        if (startTicks is { } ticks)
        {
            try
            {
                await HostProcesses.StopAsync(process.Id, ticks, grace, group: true, CancellationToken.None).ConfigureAwait(false);
                HostProcesses.KillGroup(process.Id);
            }
            catch (IOException)
            {
                // Not ours to signal any more; the fallback below ends the process itself.
            }
        }

        // Reached before setsid made the group (a timeout of a few milliseconds): end the process and its children.
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static string WithOutput(string outcome, string? last) =>
        last is null ? outcome : $"{outcome}: {(last.Length > MaxShown ? last[..MaxShown] + " …" : last)}";

    /// <summary>Reads a stream to its end, keeping its last non-blank line; readable before the end.</summary>
    private sealed class LastLine
    {
        private string? _value;

        public LastLine(StreamReader reader)
        {
            Done = ReadAsync(reader);
        }

        public Task Done { get; }

        public string? Value => Volatile.Read(ref _value);

        private async Task ReadAsync(StreamReader reader)
        {
            try
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    if (!string.IsNullOrWhiteSpace(line))
                    {
                        Volatile.Write(ref _value, line.Trim());
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process was disposed while a child of it still held the pipe.
            }
        }
    }
}
