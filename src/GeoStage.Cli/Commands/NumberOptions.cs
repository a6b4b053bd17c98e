using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GeoStage.Cli.Commands;

/// <summary>
/// Every numeric option has a range, checked while parsing: out of the parser a value too big for its
/// type read "as expected type 'System.Nullable`1[System.Int32]'", and a negative --timeout or --tail
/// was passed on as if it meant something. Each problem names the option, its range and what was given.
/// </summary>
internal static class NumberOptions
{
    public static Option<int> Between(this Option<int> option, int least, int most)
    {
        option.CustomParser = result => Whole(result, option, least, most) ?? option.DefaultValueFactory?.Invoke(result) ?? least;
        return option;
    }

    public static Option<int?> Between(this Option<int?> option, int least, int most)
    {
        option.CustomParser = result => Whole(result, option, least, most);
        return option;
    }

    /// <summary>As the <see cref="double"/> overload; without the option given, null (the command's own default applies).</summary>
    public static Option<double?> Between(this Option<double?> option, double least, double most, string unit)
    {
        var inner = new Option<double>(option.Name).Between(least, most, unit);
        option.CustomParser = result => Token(result) is null ? null : inner.CustomParser!(result);
        return option;
    }

    /// <param name="unit">What the number counts, e.g. "seconds", for the message.</param>
    public static Option<double> Between(this Option<double> option, double least, double most, string unit)
    {
        option.CustomParser = result =>
        {
            if (Token(result) is not { } text)
            {
                return option.DefaultValueFactory?.Invoke(result) ?? least;
            }

            // Float styles take "1e300" and "NaN" too: the range check turns both away.
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most)
            {
                return value;
            }

            result.AddError($"{option.Name} takes {least.ToString(CultureInfo.InvariantCulture)} to {most.ToString(CultureInfo.InvariantCulture)} {unit}, not '{text}'");
            return least;
        };
        return option;
    }

    private static int? Whole(ArgumentResult result, Option option, int least, int most)
    {
        if (Token(result) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most)
        {
            return value;
        }

        result.AddError($"{option.Name} takes a whole number from {least} to {most}, not '{text}'");
        return least;
    }

    private static string? Token(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
}
