using System.Globalization;

namespace GeoStage.Core.Model;

/// <summary>Durations as written in specs: a number and a unit, e.g. 500ms, 10s, 2m.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            // The upper bound also keeps out "Infinity", which double.TryParse accepts whatever the styles,
            // and values TimeSpan cannot hold: a Try method must not throw.
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                && number > 0
                && number * seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                value = TimeSpan.FromSeconds(number * seconds);
                return value > TimeSpan.Zero;
            }
        }

        return false;
    }
}
