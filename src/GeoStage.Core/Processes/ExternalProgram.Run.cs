using System.Diagnostics;
using System.Globalization;

namespace GeoStage.Core.Processes;

/// <summary>What a program that ran to its end printed, and how it ended.</summary>
public sealed record ProgramResult(int ExitCode, string Stdout, string Stderr);

public static partial class ExternalProgram
{
    /// <summary>Runs <paramref name="program"/> to its end; its stdout, or a <see cref="ToolException"/> naming it and its stderr.</summary>
    public static Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken) =>
        RunAsync(StartInfo(program, arguments), stdin, timeout: null, cancellationToken);

    public static Task<string> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(program, arguments, stdin: null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="info"/> to its end and returns its stdout; a non-zero exit throws a
    /// <see cref="ToolException"/> naming the command and carrying its stderr (its stdout when stderr is empty).
    /// </summary>
    public static async Task<string> RunAsync(ProcessStartInfo info, string? stdin, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var result = await CaptureAsync(info, stdin, timeout, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new ToolException(Describe(info), result.ExitCode, result.Stderr.Length > 0 ? result.Stderr : result.Stdout);
    }

    /// <summary>
    /// Runs <paramref name="info"/> to its end, writing <paramref name="stdin"/> to it (when given) and capturing
    /// stdout and stderr, whatever its exit code. Cancelled, or still running after <paramref name="timeout"/>,
    /// it is killed with its children; a timeout throws a <see cref="TimeoutException"/> naming the command.
    /// </summary>
    public static async Task<ProgramResult> CaptureAsync(ProcessStartInfo info, string? stdin, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } within)
        {
            limit.CancelAfter(within);
        }

        using var process = Start(info);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), limit.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return new ProgramResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested || timeout is not { } elapsed)
            {
                throw;
            }

            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"'{Describe(info)}' did not finish within {elapsed.TotalSeconds:0.###} s; killed it"));
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the timeout and the kill: nothing left to end.
        }
    }
}
