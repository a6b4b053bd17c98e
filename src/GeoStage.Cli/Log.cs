using Microsoft.Extensions.Logging;

namespace GeoStage.Cli;

/// <summary>
/// The CLI's log messages (EventIds 4000-4999), written to stderr as "level: message": warnings always,
/// debug lines with --verbose. What a command answers is rendered, not logged; this is what went on.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Debug, "geostage {Command} exited {ExitCode} after {ElapsedMs:0} ms")]
    public static partial void CommandFinished(ILogger logger, string command, int exitCode, double elapsedMs);

    [LoggerMessage(4001, LogLevel.Debug, "geostage {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(4002, LogLevel.Warning, "the control daemon did not start: {Reason}")]
    public static partial void DaemonNotStarted(ILogger logger, string reason);
}
