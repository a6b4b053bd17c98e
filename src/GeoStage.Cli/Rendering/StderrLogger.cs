using Microsoft.Extensions.Logging;

namespace GeoStage.Cli.Rendering;

/// <summary>The CLI's logger: one line per message on stderr, "warning: ..." or "debug: ...", from <paramref name="minimum"/> up.</summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "critical",
        };
        var message = formatter(state, exception);
        Console.Error.WriteLine(exception is null ? $"{level}: {message}" : $"{level}: {message}: {exception}");
    }
}
