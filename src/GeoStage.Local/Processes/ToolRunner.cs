using System.Diagnostics;

namespace GeoStage.Local.Processes;

/// <summary>A tool run that exited non-zero: names the command and carries what it printed.</summary>
public sealed class ToolException : Exception
{
    public ToolException(string command, int exitCode, string stderr)
        : base($"'{command}' exited with {exitCode}: {FirstLine(stderr)}")
    {
        Command = command;
        ExitCode = exitCode;
        Stderr = stderr;
    }

    public ToolException()
        : this("", 0, "")
    {
    }

    public ToolException(string message)
        : base(message)
    {
        Command = "";
        Stderr = "";
    }

    public ToolException(string message, Exception inner)
        : base(message, inner)
    {
        Command = "";
        Stderr = "";
    }

    public string Command { get; }
    public int ExitCode { get; }
    public string Stderr { get; }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? trimmed : trimmed[..newline] + " …";
    }
}

/// <summary>Runs external tools (ip, openvpn) and captures their output; the one place that does.</summary>
public static class ToolRunner
{
    public static async Task<string> RunAsync(string tool, IReadOnlyList<string> args, string? stdin, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var command = tool + " " + string.Join(' ', args);
        using var process = Process.Start(info) ?? throw new ToolException($"could not start '{command}'");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new ToolException(command, process.ExitCode, errors.Length > 0 ? errors : output);
        }

        return output;
    }

    public static Task<string> RunAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(tool, args, null, cancellationToken);
}
