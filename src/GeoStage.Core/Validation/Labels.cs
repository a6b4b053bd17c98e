namespace GeoStage.Core.Validation;

/// <summary>
/// The one place that decides what a node label may be, for the topology file, <c>node add --label</c>
/// and the daemon's API alike: node add once stored a label with an empty key from <c>--label =x</c>.
/// </summary>
public static class Labels
{
    public const int MaxLength = 63;

    /// <summary>The longest prefix of a key (<c>PREFIX/NAME</c>), a DNS subdomain's length.</summary>
    public const int MaxPrefixLength = 253;

    /// <summary>Null when <paramref name="key"/>=<paramref name="value"/> is a valid label (an empty value is), else what is wrong.</summary>
    public static string? Check(string key, string value)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (prefix, name) = slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
        if (!IsText(name, MaxLength) || (slash >= 0 && !IsText(prefix, MaxPrefixLength)))
        {
            return $"label key '{key}' is not valid: use letters, digits, '-', '_' or '.', at most {MaxLength}, starting and ending with a letter or digit";
        }

        if (value.Length > 0 && !IsText(value, MaxLength))
        {
            return $"label value '{Shorten(value)}' is not valid: use letters, digits, '-', '_' or '.', at most {MaxLength}, starting and ending with a letter or digit";
        }

        return null;
    }

    private static bool IsText(string text, int most) =>
        text.Length <= most && text.Length > 0 && char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // A megabyte-long value is not worth echoing whole in a one-line error.
    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
