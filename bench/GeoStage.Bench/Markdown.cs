using System.Globalization;
using System.Text;

namespace GeoStage.Bench;

/// <summary>Formatting shared by the reports: figures always with a dot, whatever the culture.</summary>
internal static class Markdown
{
    public static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');

    /// <summary>"median / min / max s", or a dash when nothing was measured.</summary>
    public static string Seconds(Spread? spread) =>
        spread is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.Median:0.00} / {s.Min:0.00} / {s.Max:0.00} s") : "–";

    public static string S(double? seconds) => seconds is { } s ? FormattableString.Invariant($"{s:0.00} s") : "–";

    public static string Mib(double kb) => string.Create(CultureInfo.InvariantCulture, $"{kb / 1024:0.0} MiB");
}
