using System.Text.Json;
using GeoStage.Core.Model;
using GeoStage.Core.State;

namespace GeoStage.Control.Balancers;

/// <summary>
/// A balancer runs as a workload like any other (ps, logs, events, supervision): <c>lb-NAME</c>, one
/// instance per replica node, each running <c>geostage balancer run</c> with the balancer's definition in
/// its environment.
/// </summary>
public static class BalancerWorkloads
{
    public const string Prefix = "lb-";
    public const string DefinitionVariable = "GEOSTAGE_BALANCER";
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static string WorkloadName(string balancer) => Prefix + balancer;

    public static WorkloadModel ToWorkload(BalancerModel balancer, string environment, string stateRoot, IReadOnlyList<string> geostage) => new()
    {
        Name = WorkloadName(balancer.Name),
        Version = "1",
        Command = geostage[0],
        Args = [.. geostage.Skip(1), "balancer", "run", "--name", environment, "--node", "{{node.name}}"],
        Env = new Dictionary<string, string>
        {
            [DefinitionVariable] = JsonSerializer.Serialize(balancer, StateJson.Compact),
            ["GEOSTAGE_STATE_DIR"] = stateRoot,

            // Socket continuations run on the epoll thread instead of hopping to the thread pool: the
            // forwarder's pumps only copy and never block, and without the hop it keeps pace with HAProxy
            // (loopback, wrk 50 connections: 0.73x HAProxy without, 1.05x with; docs/benchmarks.md).
            [InlineCompletionsVariable] = "1",
        },
        Placement = balancer.Replicas,
        Ports = [.. balancer.Listeners.Select(l => l.Port)],
    };

    /// <summary>The balancer a workload runs, or null when it is no balancer.</summary>
    public static BalancerModel? Of(WorkloadModel workload) =>
        workload.Name.StartsWith(Prefix, StringComparison.Ordinal) && workload.Env.TryGetValue(DefinitionVariable, out var json)
            ? JsonSerializer.Deserialize<BalancerModel>(json, StateJson.Options)
            : null;
}
