using System.Text.Json;

namespace GeoStage.Bench;

/// <summary>The read commands the balancer benchmark drives failover with.</summary>
internal sealed partial class GeoStageCli
{
    /// <summary>The leader of balancer <paramref name="balancer"/> and its term, or null when there is none (or the command failed).</summary>
    public async Task<(string? Leader, long Term, double? LastTakeoverMs)> LeaderAsync(string name, string balancer, CancellationToken cancellationToken)
    {
        var status = await RunAsync(["lb", "status", "--name", name, "--output", "json"], s_shortTimeout, cancellationToken).ConfigureAwait(false);
        if (!status.Ok)
        {
            return (null, 0, null);
        }

        using var json = JsonDocument.Parse(status.Stdout);
        foreach (var lb in json.RootElement.EnumerateArray().Where(lb => lb.GetProperty("name").GetString() == balancer))
        {
            var leader = lb.TryGetProperty("leader", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
            var term = lb.TryGetProperty("term", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0;
            var takeover = lb.TryGetProperty("lastTakeoverMs", out var ms) && ms.ValueKind == JsonValueKind.Number ? ms.GetDouble() : (double?)null;
            return (leader, term, takeover);
        }

        return (null, 0, null);
    }

    /// <summary>The environment's events (<c>events --output json</c>, one object a line): when, what kind, on which node.</summary>
    public async Task<List<(DateTimeOffset At, string Kind, string? Node)>> EventsAsync(string name, CancellationToken cancellationToken)
    {
        var events = await RunAsync(["events", "--name", name, "--output", "json"], s_shortTimeout, cancellationToken).ConfigureAwait(false);
        var list = new List<(DateTimeOffset, string, string?)>();
        foreach (var line in events.Ok ? events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            using var json = JsonDocument.Parse(line);
            var e = json.RootElement;
            var node = e.TryGetProperty("node", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            list.Add((e.GetProperty("at").GetDateTimeOffset(), e.GetProperty("kind").GetString() ?? "", node));
        }

        return list;
    }

    /// <summary>The last <paramref name="tail"/> lines of each instance's output of <paramref name="workload"/>, "[NODE] line".</summary>
    public async Task<string[]> LogsAsync(string name, string workload, int tail, CancellationToken cancellationToken)
    {
        var logs = await RunAsync(["logs", workload, "--name", name, "--tail", tail.ToString(System.Globalization.CultureInfo.InvariantCulture)], s_shortTimeout, cancellationToken).ConfigureAwait(false);
        return logs.Ok ? logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>The PID and state of <paramref name="workload"/>'s instance on <paramref name="node"/>, from <c>ps --output json</c>.</summary>
    public async Task<(int? Pid, string? State)> InstanceAsync(string name, string workload, string node, CancellationToken cancellationToken)
    {
        var ps = await RunAsync(["ps", workload, "--name", name, "--output", "json"], s_shortTimeout, cancellationToken).ConfigureAwait(false);
        if (!ps.Ok)
        {
            return (null, null);
        }

        using var json = JsonDocument.Parse(ps.Stdout);
        foreach (var i in json.RootElement.GetProperty("instances").EnumerateArray().Where(i => i.GetProperty("node").GetString() == node))
        {
            var pid = i.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : (int?)null;
            return (pid, i.TryGetProperty("state", out var s) ? s.GetString() : null);
        }

        return (null, null);
    }
}
