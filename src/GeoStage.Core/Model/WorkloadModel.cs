namespace GeoStage.Core.Model;

/// <summary>A validated workload. Args and env stay templates: they are rendered per instance at start.</summary>
public sealed record WorkloadModel
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public PlacementModel Placement { get; init; } = new();
    public HealthModel? Health { get; init; }
    public int MaxUnavailable { get; init; } = 1;
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary>The nodes that run this workload in <paramref name="model"/>, in file order.</summary>
    public IReadOnlyList<NodeModel> Select(EnvironmentModel model) => Placement.Select(model);
}

/// <summary>A filter over nodes; kept as a filter so that nodes added later are placed too.</summary>
public sealed record PlacementModel
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Sites { get; init; } = [];
    public IReadOnlyList<string> Nodes { get; init; } = [];
    public int? PerSite { get; init; }

    public IReadOnlyList<NodeModel> Select(EnvironmentModel model)
    {
        var chosen = model.Nodes.Where(n =>
            (Sites.Count == 0 || Sites.Contains(n.Site))
            && (Nodes.Count == 0 || Nodes.Contains(n.Name))
            && Labels.All(l => n.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
        if (PerSite is { } perSite)
        {
            chosen = chosen.GroupBy(n => n.Site).SelectMany(g => g.Take(perSite));
        }

        // Rollouts go site by site in the topology's order, then node by node.
        var siteOrder = model.Sites.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        return [.. chosen.OrderBy(n => siteOrder.GetValueOrDefault(n.Site)).ThenBy(n => n.Index)];
    }
}

public enum HealthKind
{
    Tcp,
    Http,
    Command,
}

public sealed record HealthModel
{
    public required HealthKind Kind { get; init; }
    public int Port { get; init; }

    /// <summary>For <see cref="HealthKind.Http"/>: a URL template, rendered per instance.</summary>
    public string? Url { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
}
