using System.Globalization;
using GeoStage.Core.Model;

namespace GeoStage.Core.Validation;

/// <summary>The checks of single values that every section of a spec shares: ports, whole numbers, durations.
/// Each reports a problem through <c>error(path, message)</c> and answers a fallback so checking goes on.</summary>
internal static class ValueChecks
{
    public static readonly TimeSpan Longest = TimeSpan.FromHours(24);

    public static int? Port(string text, string path, Action<string, string> error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            return port;
        }

        error(path, $"'{text}' is not a TCP port (1 to 65535)");
        return null;
    }

    public static int Positive(string? text, string path, int fallback, Action<string, string> error)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        error(path, $"'{text}' is not a positive whole number");
        return fallback;
    }

    public static TimeSpan Duration(string? text, string path, TimeSpan fallback, Action<string, string> error)
    {
        if (text is null)
        {
            return fallback;
        }

        if (Durations.TryParse(text, out var value))
        {
            // Durations become CancelAfter delays and timers, which throw beyond about 49 days.
            if (value <= Longest)
            {
                return value;
            }

            error(path, $"'{text}' is too long; write at most 24h");
            return fallback;
        }

        error(path, $"'{text}' is not a duration; write e.g. 500ms, 10s or 2m");
        return fallback;
    }

    /// <summary>A duration from <paramref name="least"/> to <paramref name="most"/>: a health probe every
    /// 0.0001ms kept a core 70 % busy, and one that may take an hour never notices a hung instance.</summary>
    public static TimeSpan Duration(string? text, string path, TimeSpan fallback, TimeSpan least, TimeSpan most, Action<string, string> error)
    {
        var failed = false;
        var value = Duration(text, path, fallback, (p, m) =>
        {
            failed = true;
            error(p, m);
        });
        if (!failed && (value < least || value > most))
        {
            error(path, $"'{text}' is out of range; write {Write(least)} to {Write(most)}");
            return fallback;
        }

        return value;
    }

    private static string Write(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0}m"
        : span.TotalSeconds >= 1 && span.TotalSeconds % 1 == 0 ? $"{span.TotalSeconds:0}s"
        : $"{span.TotalMilliseconds:0}ms";
}
