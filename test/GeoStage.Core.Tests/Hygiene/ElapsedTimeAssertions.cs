using System.Text;
using System.Text.RegularExpressions;

namespace GeoStage.Core.Tests.Hygiene;

/// <summary>
/// Finds test assertions that bound elapsed time from above (something happened "within" a time): on a
/// loaded machine they fail for no fault of the code, so such figures belong in bench/. A lower bound
/// (a backoff waited at least so long) cannot fail from load and is allowed. There is no opt-out.
/// </summary>
public static partial class ElapsedTimeAssertions
{
    private static readonly string[] s_asserts = ["Assert.True(", "Assert.False(", "Assert.InRange("];

    /// <summary>Each offending assertion as "line: statement" (string literals blanked), lines counted from 1.</summary>
    public static IEnumerable<string> Find(string source)
    {
        var code = Blank(source);
        foreach (var start in s_asserts.SelectMany(a => Occurrences(code, a)).Order())
        {
            var open = code.IndexOf('(', start);
            var args = Arguments(code, open + 1);
            var inRange = code.AsSpan(start).StartsWith("Assert.InRange(", StringComparison.Ordinal);

            // The message of Assert.True/False may name times freely: only the condition counts.
            var condition = inRange ? string.Join(",", args) : args[0];
            if (TimeToken().IsMatch(condition) && (inRange || UpperBound().IsMatch(condition)))
            {
                var line = code.AsSpan(0, start).Count('\n') + 1;
                yield return $"{line}: {WhiteSpace().Replace(code[start..(open + 1)] + string.Join(",", args) + ")", " ")}";
            }
        }
    }

    private static IEnumerable<int> Occurrences(string code, string what)
    {
        for (var i = code.IndexOf(what, StringComparison.Ordinal); i >= 0; i = code.IndexOf(what, i + 1, StringComparison.Ordinal))
        {
            yield return i;
        }
    }

    /// <summary>The top-level arguments from <paramref name="from"/> to the closing parenthesis.</summary>
    private static List<string> Arguments(string code, int from)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        for (var i = from; i < code.Length; i++)
        {
            var c = code[i];
            if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}' && depth-- == 0)
            {
                break;
            }
            else if (c == ',' && depth == 0)
            {
                args.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        args.Add(current.ToString());
        return args;
    }

    /// <summary>
    /// The source with the insides of comments, string and character literals blanked (lines kept): text
    /// that only looks like code, as this scanner's own patterns, is not scanned.
    /// </summary>
    private static string Blank(string source)
    {
        var code = source.ToCharArray();
        var i = 0;
        while (i < source.Length)
        {
            var next = i + 1 < source.Length ? source[i + 1] : '\0';
            var end = (source[i], next) switch
            {
                ('/', '/') => IndexOrEnd(source, "\n", i),
                ('/', '*') => IndexOrEnd(source, "*/", i + 2) + 2,
                ('"', _) => StringEnd(source, i),
                ('\'', _) => source.IndexOf('\'', i + (next == '\\' ? 3 : 2)) is var close and >= 0 ? close + 1 : i + 1,
                _ => i + 1,
            };
            if (end > i + 1)
            {
                for (var j = i + 1; j < Math.Min(end - 1, code.Length); j++)
                {
                    code[j] = code[j] == '\n' ? '\n' : ' ';
                }
            }

            i = Math.Max(end, i + 1);
        }

        return new string(code);
    }

    /// <summary>Where the string literal opening at <paramref name="open"/> ends (one past its last quote).</summary>
    private static int StringEnd(string source, int open)
    {
        var quotes = 0;
        while (open + quotes < source.Length && source[open + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            // A raw literal: it ends at the same number of quotes.
            return IndexOrEnd(source, new string('"', quotes), open + quotes) + quotes;
        }

        if (quotes == 2)
        {
            return open + 2;
        }

        var verbatim = open > 0 && (source[open - 1] == '@' || (open > 1 && source[open - 1] == '$' && source[open - 2] == '@'));
        for (var i = open + 1; i < source.Length; i++)
        {
            if (!verbatim && source[i] == '\\')
            {
                i++;
            }
            else if (source[i] == '"' && verbatim && i + 1 < source.Length && source[i + 1] == '"')
            {
                i++;
            }
            else if (source[i] == '"')
            {
                return i + 1;
            }
        }

        return source.Length;
    }

    private static int IndexOrEnd(string source, string what, int from) =>
        source.IndexOf(what, from, StringComparison.Ordinal) is var at and >= 0 ? at : source.Length;

    /// <summary>Something that reads a clock or holds a duration.</summary>
    [GeneratedRegex(@"Elapsed|Stopwatch|UtcNow|\bNow\b|GetTimestamp|TimeSpan|Milliseconds|Seconds|\w*Gap\b|(?-i:\w+Ms\b)", RegexOptions.IgnoreCase)]
    private static partial Regex TimeToken();

    /// <summary>x &lt; limit, x &lt;= limit, or limit &gt; x with the limit a TimeSpan (generic arguments are rare in conditions).</summary>
    [GeneratedRegex(@"<=?|TimeSpan\.From\w+\([^)]*\)\s*>")]
    private static partial Regex UpperBound();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
