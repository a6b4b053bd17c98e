using System.Text;
using System.Text.RegularExpressions;

namespace GeoStage.Core.Tests.Hygiene;

/// <summary>
/// Checks the relative links of a markdown file: the file they name exists and, when they give an
/// anchor, a heading of that file has it as GitHub derives it. Docs move sections between files (issue
/// 9 split spec.md); a link left behind still renders and only breaks when someone follows it.
/// </summary>
public static partial class MarkdownLinks
{
    /// <summary>A relative link: its line (from 1) and its target as written.</summary>
    public sealed record Link(int Line, string Target);

    /// <summary>Every link of <paramref name="text"/> that is not to a URL, outside code blocks and code spans.</summary>
    public static IReadOnlyList<Link> Relative(string text)
    {
        var prose = Prose(text);
        return LinkSyntax().Matches(prose)
            .Select(m => new Link(prose.AsSpan(0, m.Index).Count('\n') + 1, m.Groups["target"].Value))
            .Where(l => !Scheme().IsMatch(l.Target))
            .ToList();
    }

    /// <summary>
    /// The links of the file at <paramref name="path"/> that do not resolve, each as "line: target: why".
    /// <paramref name="read"/> gives a file's text by full path, or null when there is no such file.
    /// </summary>
    public static IReadOnlyList<string> FindBroken(string path, string text, Func<string, string?> read)
    {
        var broken = new List<string>();
        foreach (var link in Relative(text))
        {
            var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? link.Target : link.Target[..hash];
            var anchor = hash < 0 ? null : Uri.UnescapeDataString(link.Target[(hash + 1)..]);
            var full = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
            var target = file.Length == 0 ? text : read(full);
            if (target is null)
            {
                broken.Add($"{link.Line}: {link.Target}: no file {full}");
            }
            else if (anchor is not null && !Anchors(target).Contains(anchor))
            {
                broken.Add($"{link.Line}: {link.Target}: no heading with anchor '{anchor}' in {full}");
            }
        }

        return broken;
    }

    /// <summary>The anchors of the file's headings, numbered -1, -2 ... on repeats as GitHub does.</summary>
    public static IReadOnlySet<string> Anchors(string text)
    {
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Unfenced(text))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            // github-slugger's rule: a repeated slug gets the next free "-N".
            var original = Slug(heading.Groups["text"].Value);
            var slug = original;
            while (occurrences.ContainsKey(slug))
            {
                occurrences[original]++;
                slug = $"{original}-{occurrences[original]}";
            }

            occurrences[slug] = 0;
        }

        return occurrences.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>GitHub's anchor of a heading: its rendered text, lower case, punctuation dropped, each space a hyphen.</summary>
    public static string Slug(string heading)
    {
        var rendered = InlineLink().Replace(heading, "${text}");
        var slug = new StringBuilder();
        foreach (var c in rendered.Trim().ToLowerInvariant())
        {
            if (c == ' ')
            {
                slug.Append('-');
            }
            else if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
        }

        return slug.ToString();
    }

    // Code blocks and code spans are blanked (newlines kept, so lines still count): a link shown as
    // code is not one.
    private static string Prose(string text) => CodeSpan().Replace(string.Join('\n', Unfenced(text)), m => Blank(m.Value));

    // The lines of the file with those of fenced code blocks emptied: "# geostage logs" in a block is
    // no heading. Code spans stay: the words of a heading such as ### `workloads[]` make its anchor.
    private static string[] Unfenced(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var fence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (Fence().IsMatch(lines[i]))
            {
                fence = !fence;
                lines[i] = "";
            }
            else if (fence)
            {
                lines[i] = "";
            }
        }

        return lines;
    }

    private static string Blank(string code) => string.Concat(code.Select(c => c == '\n' ? '\n' : ' '));

    [GeneratedRegex(@"^ {0,3}(```|~~~)")]
    private static partial Regex Fence();

    // A span opens and closes with the same run of backticks and does not cross a blank line.
    [GeneratedRegex(@"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)\1(?!`)")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]+(?<text>.*?)(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkSyntax();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
