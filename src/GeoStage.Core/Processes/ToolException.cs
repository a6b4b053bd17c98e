namespace GeoStage.Core.Processes;

/// <summary>An external program that could not start or exited non-zero: names the command and carries what it printed.</summary>
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
