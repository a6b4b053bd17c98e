using System.Text.RegularExpressions;

namespace GeoStage.Core.Validation;

/// <summary>The one place that decides what a name may be: a DNS-1123 label.</summary>
public static partial class Names
{
    public const int MaxLength = 63;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    /// <summary>Null when <paramref name="name"/> is a valid label, else what is wrong with it.</summary>
    public static string? Check(string name)
    {
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > MaxLength)
        {
            // Quoted in part when long: the name may be megabytes, and the message is one line.
            var shown = name.Length <= 80 ? name : name[..20] + "…";
            return $"'{shown}' is {name.Length:N0} characters long; a name has at most {MaxLength}";
        }

        if (!Label().IsMatch(name))
        {
            return $"'{name}' is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit";
        }

        return null;
    }
}
