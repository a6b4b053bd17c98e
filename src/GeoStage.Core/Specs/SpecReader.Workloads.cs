using GeoStage.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GeoStage.Core.Specs;

/// <summary>The workloads of a file, where they came from, and what was structurally wrong.</summary>
public sealed record WorkloadDocument(IReadOnlyList<WorkloadSpec> Workloads, SourceMap Map, IReadOnlyList<SpecError> Errors);

public sealed partial class SpecReader
{
    internal static readonly string[] WorkloadKeys = ["name", "version", "command", "args", "env", "placement", "health", "rollout", "ports"];
    internal static readonly string[] PlacementKeys = ["labels", "sites", "nodes", "perSite"];
    internal static readonly string[] HealthKeys = ["tcp", "http", "command", "interval", "timeout"];
    internal static readonly string[] RolloutKeys = ["maxUnavailable", "healthTimeout"];

    /// <summary>
    /// Reads the <c>workloads</c> list of a file: a file of workloads only, or a topology file that also
    /// holds them (its other keys are then left to <see cref="Read"/>).
    /// </summary>
    public static WorkloadDocument ReadWorkloads(string text, string file)
    {
        var reader = new SpecReader(file);
        var workloads = reader.ReadWorkloadDocument(text);
        return new WorkloadDocument(workloads, reader._map, reader._errors);
    }

    private List<WorkloadSpec> ReadWorkloadDocument(string text)
    {
        if (LoadSection(text, "the file must be a YAML mapping with a 'workloads' list") is not var (root, fields))
        {
            return [];
        }

        if (!fields.ContainsKey("workloads"))
        {
            Error(At(root), "", "missing 'workloads': add a list of workloads, each with name and command");
            return [];
        }

        return List(fields, root, "", "workloads", ReadWorkload, required: true);
    }

    /// <summary>
    /// Parses <paramref name="text"/> and returns its top-level mapping and keys, for reading one section
    /// (workloads, balancers) of a file that may hold others; null, with the error recorded, when it is
    /// not YAML or not a mapping (<paramref name="notMapping"/> null: no error for that).
    /// </summary>
    private (YamlMappingNode Root, Dictionary<string, YamlNode> Fields)? LoadSection(string text, string? notMapping)
    {
        if (TooLarge(text))
        {
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new BoundedParser(new StringReader(text)));
        }
        catch (SpecLimitException e)
        {
            Error(new SourcePosition(e.Line, e.Column), "", e.Message);
            return null;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            var at = e is YamlException y ? new SourcePosition((int)Math.Max(1, y.Start.Line), (int)Math.Max(1, y.Start.Column)) : new SourcePosition(1, 1);
            Error(at, "", $"invalid YAML: {Clean(e.InnerException?.Message ?? e.Message)}");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            if (notMapping is not null)
            {
                Error(new SourcePosition(1, 1), "", notMapping);
            }

            return null;
        }

        _map.Add("", At(root));
        return (root, Fields(root, "", TopKeys));
    }

    private WorkloadSpec? ReadWorkload(YamlNode node, string path)
    {
        if (Mapping(node, path, "a workload: name and command") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, path, WorkloadKeys);
        return new WorkloadSpec
        {
            Name = RequiredScalar(fields, node, path, "name", "the workload's name, e.g. name: chain"),
            Version = OptionalScalar(fields, path, "version") ?? "1",
            Command = RequiredScalar(fields, node, path, "command", "the program to run, e.g. command: /usr/bin/python3"),
            Args = Strings(fields, path, "args"),
            Env = StringMap(fields, path, "env"),
            Placement = fields.TryGetValue("placement", out var placement) ? ReadPlacement(placement, path + ".placement") : new PlacementSpec(),
            Health = fields.TryGetValue("health", out var health) && !IsNull(health) ? ReadHealth(health, path + ".health") : null,
            Rollout = fields.TryGetValue("rollout", out var rollout) ? ReadRollout(rollout, path + ".rollout") : new RolloutSpec(),
            Ports = Strings(fields, path, "ports"),
        };
    }

    private PlacementSpec ReadPlacement(YamlNode node, string path)
    {
        if (IsNull(node) || Mapping(node, path, "placement: labels, sites, nodes and perSite") is not { } map)
        {
            return new PlacementSpec();
        }

        var fields = Fields(map, path, PlacementKeys);
        return new PlacementSpec
        {
            Labels = StringMap(fields, path, "labels"),
            Sites = Strings(fields, path, "sites"),
            Nodes = Strings(fields, path, "nodes"),
            PerSite = OptionalScalar(fields, path, "perSite"),
        };
    }

    private HealthSpec? ReadHealth(YamlNode node, string path)
    {
        if (Mapping(node, path, "health: one of tcp, http or command") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, path, HealthKeys);
        return new HealthSpec
        {
            Tcp = OptionalScalar(fields, path, "tcp"),
            Http = OptionalScalar(fields, path, "http"),
            Command = Strings(fields, path, "command"),
            Interval = OptionalScalar(fields, path, "interval"),
            Timeout = OptionalScalar(fields, path, "timeout"),
        };
    }

    private RolloutSpec ReadRollout(YamlNode node, string path)
    {
        if (IsNull(node) || Mapping(node, path, "rollout: maxUnavailable and healthTimeout") is not { } map)
        {
            return new RolloutSpec();
        }

        var fields = Fields(map, path, RolloutKeys);
        return new RolloutSpec
        {
            MaxUnavailable = OptionalScalar(fields, path, "maxUnavailable"),
            HealthTimeout = OptionalScalar(fields, path, "healthTimeout"),
        };
    }

    /// <summary>A list of single values; a single value alone is taken as a list of one.</summary>
    private List<string> Strings(Dictionary<string, YamlNode> fields, string path, string key)
    {
        var keyPath = $"{path}.{key}";
        if (!fields.TryGetValue(key, out var node) || IsNull(node))
        {
            return [];
        }

        if (node is YamlScalarNode)
        {
            return Scalar(node, keyPath, "a value") is { } single ? [single] : [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(At(node), keyPath, $"'{key}' must be a list of values");
            return [];
        }

        if (TooMany(sequence, keyPath))
        {
            return [];
        }

        var values = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            _map.Add($"{keyPath}[{i}]", At(sequence.Children[i]));
            values.Add(Scalar(sequence.Children[i], $"{keyPath}[{i}]", "a value") ?? "");
        }

        return values;
    }

    private Dictionary<string, string> StringMap(Dictionary<string, YamlNode> fields, string path, string key)
    {
        var keyPath = $"{path}.{key}";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue(key, out var node) || IsNull(node))
        {
            return values;
        }

        if (node is not YamlMappingNode map)
        {
            Error(At(node), keyPath, $"'{key}' must be a mapping of KEY: value");
            return values;
        }

        if (TooMany(map, keyPath))
        {
            return values;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = Scalar(k, keyPath, "a key") ?? "";
            _map.Add($"{keyPath}.{name}", At(v));
            values[name] = Scalar(v, $"{keyPath}.{name}", "a value") ?? "";
        }

        return values;
    }
}
