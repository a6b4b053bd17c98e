using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GeoStage.Cli.Rendering;

/// <summary>
/// Writes a replica's log as 'HH:mm:ss.fff message' lines on stdout, which the daemon keeps as the
/// instance's log: the format 'geostage logs' has always shown (docs/balancers.md), with the messages
/// now coming from the balancer's source-generated Log.
/// </summary>
internal sealed class LineLogger(TextWriter writer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {formatter(state, exception)}");
        writer.WriteLine(exception is null ? line : $"{line}: {exception}");
    }
}
