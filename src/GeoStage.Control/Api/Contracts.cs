using GeoStage.Control.Store;

namespace GeoStage.Control.Api;

/// <summary>The daemon's JSON shapes; documented in docs/cli.md (the API) and used by the CLI.</summary>
public sealed record ErrorResponse(string Error, IReadOnlyList<string> Errors);

public sealed record HealthResponse(string Environment, int Pid, DateTimeOffset Since);

public sealed record ApplyRequest(string File, string Text);

/// <summary><paramref name="Generations"/>: each workload's generation after the apply, the one to wait on.</summary>
public sealed record ApplyResponse(IReadOnlyDictionary<string, string> Workloads, IReadOnlyDictionary<string, long>? Generations = null);

public sealed record UpdateRequest(string? Version, string? Command, IReadOnlyList<string>? Args, IReadOnlyDictionary<string, string>? Env);

public sealed record ScaleRequest(bool All, int? PerSite, IReadOnlyList<string>? Sites, IReadOnlyList<string>? Nodes, IReadOnlyDictionary<string, string>? Labels);

public sealed record RestartRequest(string? Node);

public sealed record NodeRequest(string Site, string Name, string? Address, IReadOnlyDictionary<string, string>? Labels);

public sealed record BalancerView(
    string Name,
    string Site,
    string Vip,
    string? Leader,
    long Term,
    DateTimeOffset? Since,
    double? LastTakeoverMs,
    double? LastFailoverMs,
    string? Why,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<Balancer.Replica.ReplicaReport> Replicas);

public sealed record FenceRequest(string Node, long Term);

public sealed record LeaseRequest(string Holder, double TtlSeconds, long? Term);

public sealed record SiteRequest(string Name, string Cidr, string? Router, string? Location);

public sealed record SiteAdded(string Site, string Cidr, string Router, string Gateway, int Tunnels, double Seconds);

public sealed record NodeAdded(string Node, string Site, string Address, double ReachableSeconds, double HealthySeconds, double TotalSeconds, int Instances);

public sealed record WorkloadView(
    string Name,
    string Version,
    long Generation,
    string Status,
    string? Message,
    int Instances,
    int Healthy,
    int Failed,
    IReadOnlyDictionary<string, int> Versions,
    DateTimeOffset UpdatedAt)
{
    public static WorkloadView Of(WorkloadRecord workload, IReadOnlyList<InstanceRecord> instances) => new(
        workload.Name,
        workload.Spec.Version,
        workload.Generation,
        Kebab(workload.Status.ToString()),
        workload.Message,
        instances.Count,
        instances.Count(i => i.State == InstanceState.Healthy),
        instances.Count(i => i.State == InstanceState.Failed),
        instances.GroupBy(i => i.Version).ToDictionary(g => g.Key, g => g.Count()),
        workload.UpdatedAt);

    internal static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>
/// One generation of a workload and how it ended: <c>pending</c>, <c>ready</c>, <c>rolled-back</c> or
/// <c>superseded</c> (by a later change, named in <paramref name="SupersededBy"/>, or by a stop).
/// </summary>
public sealed record GenerationView(
    string Workload,
    long Generation,
    string Version,
    string Cause,
    DateTimeOffset At,
    string Outcome,
    DateTimeOffset? EndedAt,
    SupersedingChange? SupersededBy,
    string? Message)
{
    public static GenerationView Of(WorkloadRecord workload, GenerationRecord generation) => new(
        workload.Name,
        generation.Generation,
        generation.Version,
        generation.Cause,
        generation.At,
        WorkloadView.Kebab(generation.Outcome.ToString()),
        generation.EndedAt,
        workload.History.FirstOrDefault(g => g.Generation == generation.SupersededBy) is { } by ? new SupersedingChange(by.Generation, by.Version, by.Cause, by.At) : null,
        generation.Message);
}

/// <summary>The change that superseded a generation.</summary>
public sealed record SupersedingChange(long Generation, string Version, string Cause, DateTimeOffset At);

public sealed record InstanceView(
    string Workload,
    string Node,
    string Site,
    string State,
    string Version,
    long Generation,
    int? Pid,
    int Restarts,
    double? UptimeSeconds,
    string? Health,
    string? LastExit,
    string? Address)
{
    /// <summary><paramref name="address"/>: the node's address (null when the node is gone).</summary>
    public static InstanceView Of(InstanceRecord instance, DateTimeOffset now, System.Net.IPAddress? address) => new(
        instance.Workload,
        instance.Node,
        instance.Site,
        WorkloadView.Kebab(instance.State.ToString()),
        instance.Version,
        instance.Generation,
        instance.Handle?.Pid,
        instance.Restarts,
        instance.Handle is null || instance.StartedAt is null ? null : Math.Round((now - instance.StartedAt.Value).TotalSeconds, 1),
        instance.Health,
        instance.LastExit,
        address?.ToString());
}
