using GeoStage.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GeoStage.Core.Specs;

public sealed partial class SpecReader
{
    private YamlMappingNode? Mapping(YamlNode node, string path, string what)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(At(node), path, $"expected a mapping ({what})");
        return null;
    }

    /// <summary>The keys of <paramref name="map"/>; unknown and repeated keys are errors.</summary>
    private Dictionary<string, YamlNode> Fields(YamlMappingNode map, string path, string[] known)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                var hint = Suggest(key, known);
                Error(At(keyNode), path, $"unknown key '{Clip(key)}'{hint}; allowed here: {string.Join(", ", known)}");
                continue;
            }

            if (!fields.TryAdd(key, value))
            {
                Error(At(keyNode), path, $"key '{Clip(key)}' appears twice; keep one");
                continue;
            }

            _map.Add(keyPath, At(value));
        }

        return fields;
    }

    private string RequiredScalar(Dictionary<string, YamlNode> fields, YamlNode parent, string path, string key, string example)
    {
        var keyPath = path.Length == 0 ? key : $"{path}.{key}";
        if (!fields.TryGetValue(key, out var node) || IsNull(node))
        {
            Error(At(node ?? parent), path, $"missing '{key}': add {example}");
            return "";
        }

        return Scalar(node, keyPath, example) ?? "";
    }

    private string? OptionalScalar(Dictionary<string, YamlNode> fields, string path, string key)
    {
        if (!fields.TryGetValue(key, out var node) || IsNull(node))
        {
            return null;
        }

        return Scalar(node, path.Length == 0 ? key : $"{path}.{key}", key);
    }

    private string? Scalar(YamlNode node, string path, string what)
    {
        if (node is YamlScalarNode scalar)
        {
            var value = scalar.Value ?? "";
            var max = SpecLimits.MaxLength(path);
            if (value.Length > max)
            {
                Error(At(node), path, $"a value of {BoundedParser.Thousands(value.Length)} characters; at most {max} are allowed here: shorten it");
                return null;
            }

            return value;
        }

        Error(At(node), path, $"expected a single value ({what}), not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    private List<T> List<T>(Dictionary<string, YamlNode> fields, YamlNode parent, string path, string key, Func<YamlNode, string, T?> read, bool required, string? itemPrefix = null)
        where T : class
    {
        var result = new List<T>();
        if (!fields.TryGetValue(key, out var node) || IsNull(node))
        {
            if (required)
            {
                Error(At(node ?? parent), path, $"missing '{key}': add a list with at least one entry");
            }

            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(At(node), key, $"'{key}' must be a list (entries starting with '- ')");
            return result;
        }

        if (required && sequence.Children.Count == 0)
        {
            Error(At(node), key, $"'{key}' is empty: add at least one entry");
        }

        if (TooMany(sequence, itemPrefix ?? key))
        {
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            // Paths index the list as built, so that a skipped malformed entry does not shift the
            // positions of the ones after it; the line printed for the malformed one is still its own.
            var itemPath = $"{itemPrefix ?? key}[{result.Count}]";
            _map.Add(itemPath, At(sequence.Children[i]));
            if (read(sequence.Children[i], itemPath) is { } item)
            {
                result.Add(item);
            }
        }

        return result;
    }

    /// <summary>More entries than <see cref="SpecLimits.MaxCount"/> allows: reported once, and none of them read.</summary>
    private bool TooMany(YamlNode node, string path)
    {
        var count = node switch
        {
            YamlSequenceNode sequence => sequence.Children.Count,
            YamlMappingNode map => map.Children.Count,
            _ => 0,
        };
        var max = SpecLimits.MaxCount(path);
        if (count <= max)
        {
            return false;
        }

        Error(At(node), path, $"{BoundedParser.Thousands(count)} entries; at most {BoundedParser.Thousands(max)} are allowed here: use fewer");
        return true;
    }

    // A quoted "" counts as absent too: validation reads an empty value as "already reported missing",
    // so letting one through would drop its site or node without a word.
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Value: null or "" } or YamlScalarNode { Style: ScalarStyle.Plain, Value: "~" or "null" };

    /// <summary>A key as errors quote it: a few lines of messages, however long the key.</summary>
    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Suggest(string key, string[] known)
    {
        var best = known.MinBy(k => Distance(k, key));
        return best is not null && Distance(best, key) <= 2 ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
