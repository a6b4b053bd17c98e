using Microsoft.Extensions.Logging;

namespace GeoStage.Testing;

/// <summary>Keeps what is logged so a test can read it; every level is enabled. Concurrency: any thread may log.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = [];

    /// <summary>Each entry's message alone.</summary>
    public IReadOnlyList<string> Messages => Read(e => e.Message);

    /// <summary>Each entry as 'level: message', then the exception's text if any.</summary>
    public IReadOnlyList<string> Lines => Read(e => $"{e.Level}: {e.Message}{(e.Exception is null ? "" : " " + e.Exception)}");

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
        }
    }

    private List<string> Read(Func<(LogLevel Level, string Message, Exception? Exception), string> format)
    {
        lock (_entries)
        {
            return [.. _entries.Select(format)];
        }
    }
}
