using System.Globalization;
using System.Text;

namespace GeoStage.Core.Tests.Limits;

/// <summary>
/// Inputs for the reader fuzz test, each from its own seed so that a failing one can be made again:
/// deep nesting, alias bombs, huge scalars, random bytes and tokens, and valid-looking mutations of the
/// examples (a key deleted, duplicated or retyped, values swapped, lines moved, the text cut short).
/// </summary>
internal static class SpecFuzz
{
    private static readonly string[] s_tokens =
    [
        ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!binary ", "!x ", "? ", "\n", "  ", "\t", "'", "\"", "|", ">-",
        "#", "%YAML 1.2\n", "---\n", "...\n", "\0", "\uFFFF", "\uD800", "{{", "}}", "name", "sites", "nodes", "workloads", "args", "env", "~", "null",
        "<<: *a", "0x10", "1e400", "-0", "99999999999999999999", "192.168.10.0/24", "10.4.0.90", "\\u0000", "\r", "\u2028", "\uFEFF",
    ];

    private static readonly string[] s_values =
    [
        "[]", "{}", "[a, b]", "{x: 1}", "~", "\"\"", "''", "-1", "0", "65535", "65536", "99999999999999999999", "0.5", "true", "*nope", "&x",
        "x", "a", "b", "master01", "192.168.10.0/24", "10.4.0.90", "0.0.0.0/0", "1ms", "1e9s", "\"{{node.name}}\"", "\"{{nope}}\"", "'{{peers \"{address}\" \",\"}}'",
        "/bin/sh", "dotnet", "/nonexistent", "[1, [2, [3]]]", "{ a: { b: { c: d } } }", "|\n  x\n  y", "!!binary aGVsbG8=", "*",
    ];

    public static (string Kind, string Text) Generate(int seed, IReadOnlyList<string> examples)
    {
        var random = new Random(seed);
        return random.Next(10) switch
        {
            0 => ("nesting", Nesting(random)),
            1 => ("aliases", Aliases(random)),
            2 => ("huge scalar", HugeScalar(random, Pick(random, examples))),
            3 => ("random bytes", RandomBytes(random)),
            4 => ("random tokens", string.Concat(Enumerable.Range(0, random.Next(1, 200)).Select(_ => Pick(random, s_tokens)))),
            _ => ("mutation", Mutate(random, Pick(random, examples))),
        };
    }

    private static string Nesting(Random random)
    {
        var depth = random.Next(1, 40_000);
        var prefix = Pick(random, ["", "sites: ", "workloads: ", "workloads:\n  - name: w\n    command: /bin/sh\n    args: ", "name: x\nnodes: "]);
        return random.Next(4) switch
        {
            0 => prefix + new string('[', depth),
            1 => prefix + string.Concat(Enumerable.Repeat("{a: ", depth)),
            2 => prefix + "\n" + string.Concat(Enumerable.Range(0, Math.Min(depth, 300)).Select(i => new string(' ', i) + "-\n")),
            _ => prefix + new string('[', depth) + new string(']', random.Next(depth + 1)),
        };
    }

    private static string Aliases(Random random)
    {
        var levels = random.Next(1, 12);
        var fanout = random.Next(2, 12);
        var lines = new List<string> { $"a0: &a0 [{string.Join(", ", Enumerable.Repeat("lol", fanout))}]" };
        for (var i = 1; i < levels; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", fanout))}]");
        }

        var last = $"*a{levels - 1}";
        lines.Add(Pick(random, [$"sites: {last}", $"workloads: [{{ name: w, command: /bin/sh, args: {last} }}]", $"nodes: [{last}, {last}]", $"name: {last}"]));
        return string.Join("\n", lines);
    }

    private static string HugeScalar(Random random, string example)
    {
        var size = Pick(random, [300, 3_000, 5_000, 64 * 1024, 64 * 1024 + 1, (4 << 20) + 1]);
        var value = new string(Pick(random, ['x', 'a', '[', ' ']), size);
        var lines = example.Split('\n');
        var at = random.Next(lines.Length);
        var colon = lines[at].IndexOf(": ", StringComparison.Ordinal);
        lines[at] = colon < 0 ? lines[at] + value : lines[at][..(colon + 2)] + (random.Next(2) == 0 ? value : $"\"{value}\"");
        return string.Join("\n", lines);
    }

    private static string RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 4096)];
        random.NextBytes(bytes);
        return random.Next(2) == 0 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }

    private static string Mutate(Random random, string example)
    {
        var lines = example.Split('\n').ToList();
        for (var n = random.Next(1, 5); n > 0 && lines.Count > 0; n--)
        {
            var at = random.Next(lines.Count);
            var other = random.Next(lines.Count);
            switch (random.Next(8))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[at]);
                    break;
                case 2:
                    lines[at] = WithValue(lines[at], Pick(random, s_values));
                    break;
                case 3:
                    (lines[at], lines[other]) = (WithValue(lines[at], Value(lines[other])), WithValue(lines[other], Value(lines[at])));
                    break;
                case 4:
                    (lines[at], lines[other]) = (lines[other], lines[at]);
                    break;
                case 5:
                    lines[at] = random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                    break;
                case 6:
                    lines[at] = lines[at].Insert(random.Next(lines[at].Length + 1), Pick(random, s_tokens));
                    break;
                default:
                    var text = string.Join("\n", lines);
                    lines = [.. text[..random.Next(text.Length + 1)].Split('\n')];
                    break;
            }
        }

        return string.Join("\n", lines);
    }

    private static string Value(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? line.Trim() : line[(colon + 2)..];
    }

    private static string WithValue(string line, string value)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? line + " " + value : line[..(colon + 2)] + value;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static string Describe(string text) =>
        text.Length <= 400 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..400]}… ({text.Length:N0} characters)");
}
