using System.Text;

namespace GeoStage.Core.Model;

/// <summary>
/// Renders <c>{{fact}}</c> in a workload's args and env with the facts of one instance:
/// <c>node.name</c>, <c>node.address</c>, <c>node.site</c>, <c>site.name</c>, <c>site.cidr</c>,
/// <c>site.gateway</c>, <c>workload.name</c>, <c>workload.version</c>, <c>instance.index</c>, and the
/// lists <c>{{instances "FORMAT" "SEP"}}</c> (every instance of the workload) and
/// <c>{{peers "FORMAT" "SEP"}}</c> (every instance but this one), whose FORMAT may hold
/// <c>{node}</c>, <c>{address}</c>, <c>{site}</c> and <c>{index}</c>.
/// </summary>
public static class Templates
{
    public static readonly string[] Facts =
        ["node.name", "node.address", "node.site", "site.name", "site.cidr", "site.gateway", "workload.name", "workload.version", "instance.index"];

    /// <summary>What is wrong with <paramref name="template"/>, or null when it renders.</summary>
    public static string? Check(string template)
    {
        foreach (var (expression, _) in Expressions(template))
        {
            if (expression is null)
            {
                return "an unclosed '{{'; close it with '}}'";
            }

            if (ParseList(expression) is { } list)
            {
                if (list.Error is not null)
                {
                    return list.Error;
                }
            }
            else if (!Facts.Contains(expression))
            {
                return $"unknown fact '{{{{{expression}}}}}'; known: {string.Join(", ", Facts)}, and {{{{instances \"FORMAT\" \"SEP\"}}}} or {{{{peers \"FORMAT\" \"SEP\"}}}}";
            }
        }

        return null;
    }

    /// <summary>Renders for <paramref name="node"/>, one of <paramref name="instances"/> (in placement order).</summary>
    public static string Render(string template, EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> instances)
    {
        if (!template.Contains("{{", StringComparison.Ordinal))
        {
            return template;
        }

        var site = model.Site(node.Site);
        var text = new StringBuilder();
        var last = 0;
        foreach (var (expression, span) in Expressions(template))
        {
            text.Append(template, last, span.Start - last);
            last = span.End;
            var value = expression switch
            {
                "node.name" => node.Name,
                "node.address" => node.Address.ToString(),
                "node.site" or "site.name" => node.Site,
                "site.cidr" => site.Cidr.ToString(),
                "site.gateway" => site.Gateway.ToString(),
                "workload.name" => workload.Name,
                "workload.version" => workload.Version,
                "instance.index" => IndexOf(instances, node).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ when expression is not null && ParseList(expression) is { Error: null } list => Join(list, instances, node),
                _ => throw new FormatException($"cannot render '{template}': {Check(template)}"),
            };
            text.Append(value);
        }

        text.Append(template, last, template.Length - last);
        return text.ToString();
    }

    private static int IndexOf(IReadOnlyList<NodeModel> instances, NodeModel node)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            if (instances[i].Name == node.Name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Join(ListExpression list, IReadOnlyList<NodeModel> instances, NodeModel self) =>
        string.Join(list.Separator, instances
            .Select((n, i) => (Node: n, Index: i))
            .Where(x => list.Kind == "instances" || x.Node.Name != self.Name)
            .Select(x => list.Format
                .Replace("{node}", x.Node.Name, StringComparison.Ordinal)
                .Replace("{address}", x.Node.Address.ToString(), StringComparison.Ordinal)
                .Replace("{site}", x.Node.Site, StringComparison.Ordinal)
                .Replace("{index}", x.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

    private sealed record ListExpression(string Kind, string Format, string Separator, string? Error);

    /// <summary>Parses <c>instances "FORMAT" "SEP"</c>; null when the expression is not a list at all.</summary>
    private static ListExpression? ParseList(string expression)
    {
        var kind = expression.Split(' ', 2)[0];
        if (kind is not ("instances" or "peers"))
        {
            return null;
        }

        var quoted = new List<string>();
        var rest = expression[kind.Length..].Trim();
        while (rest.Length > 0)
        {
            if (rest[0] != '"' || rest.IndexOf('"', 1) is var end && end < 0)
            {
                return new ListExpression(kind, "", "", $"'{{{{{expression}}}}}': write {kind} \"FORMAT\" \"SEPARATOR\", e.g. {kind} \"{{node}}={{address}}:2380\" \",\"");
            }

            quoted.Add(rest[1..end]);
            rest = rest[(end + 1)..].TrimStart();
        }

        if (quoted.Count != 2)
        {
            return new ListExpression(kind, "", "", $"'{{{{{expression}}}}}' needs a format and a separator, e.g. {kind} \"{{address}}:7000\" \",\"");
        }

        return new ListExpression(kind, quoted[0], quoted[1], null);
    }

    /// <summary>Each <c>{{…}}</c> with its span; a null expression marks an unclosed one.</summary>
    private static IEnumerable<(string? Expression, (int Start, int End) Span)> Expressions(string template)
    {
        var at = 0;
        while ((at = template.IndexOf("{{", at, StringComparison.Ordinal)) >= 0)
        {
            var close = template.IndexOf("}}", at + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                yield return (null, (at, template.Length));
                yield break;
            }

            yield return (template[(at + 2)..close].Trim(), (at, close + 2));
            at = close + 2;
        }
    }
}
