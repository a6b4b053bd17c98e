using GeoStage.Core.Processes;
using GeoStage.Core.Backends;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using Spectre.Console;

namespace GeoStage.Cli.Rendering;

/// <summary>The shape of <c>status --output json</c>, documented in docs/cli.md.</summary>
internal sealed record StatusDocument(
    string Environment,
    string Phase,
    string? SpecFile,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadyAt,
    string Wan,
    string Overlay,
    DaemonStatus? Daemon,
    IReadOnlyList<SiteStatus> Sites,
    IReadOnlyList<NodeStatus> Nodes)
{
    /// <summary>Faults of the fabric's bridges, e.g. "s1: missing"; null when none.</summary>
    public IReadOnlyList<string>? Problems { get; init; }

    /// <summary>From the daemon, with --output json; null when it does not answer.</summary>
    public IReadOnlyList<GeoStage.Control.Api.BalancerView>? Balancers { get; init; }
}

internal sealed record DaemonStatus(int Pid, bool Running);

internal sealed record SiteStatus(string Name, string Cidr, string? Location, string RouterNamespace, string WanAddress, string Gateway, string State, IReadOnlyList<TunnelView> Tunnels)
{
    /// <summary>Faults of the router's devices, e.g. "tun-b: missing"; null when none (state "degraded" otherwise).</summary>
    public IReadOnlyList<string>? Problems { get; init; }
}

internal sealed record TunnelView(string Peer, string Interface, string Backend, int? Pid, string State);

internal sealed record NodeStatus(string Name, string Site, string Namespace, string Address, IReadOnlyDictionary<string, string> Labels, string State)
{
    /// <summary>Faults of the node's device, e.g. "eth0: missing"; null when none (state "degraded" otherwise).</summary>
    public IReadOnlyList<string>? Problems { get; init; }
}

internal static class StatusView
{
    public static StatusDocument Build(EnvironmentState state, ActualState actual)
    {
        var model = state.Model;
        IReadOnlyList<string>? Problems(string ns) =>
            actual.Faults.Where(f => f.Namespace == ns).Select(f => $"{f.Device}: {f.Problem}").ToList() is { Count: > 0 } found ? found : null;
        string Presence(string ns) => !actual.Namespaces.GetValueOrDefault(ns) ? "missing" : Problems(ns) is null ? "up" : "degraded";

        var sites = model.Sites.Select(site =>
        {
            var ns = LocalNames.Router(model.Name, site.Name);
            var tunnels = actual.Tunnels.Where(t => t.Site == site.Name)
                .Select(t => new TunnelView(t.Peer, t.Interface, t.Backend, t.Pid, t.Up ? "up" : t.ProcessAlive ? "down" : "dead"))
                .ToList();
            return new SiteStatus(site.Name, site.Cidr.ToString(), site.Location, ns, site.RouterWan.ToString(), site.Gateway.ToString(), Presence(ns), tunnels) { Problems = Problems(ns) };
        }).ToList();
        var nodes = model.Nodes.Select(node =>
        {
            var ns = LocalNames.Node(model.Name, node.Name);
            return new NodeStatus(node.Name, node.Site, ns, node.Address.ToString(), node.Labels, Presence(ns)) { Problems = Problems(ns) };
        }).ToList();
        return new StatusDocument(
            model.Name,
            state.Phase.ToString().ToLowerInvariant(),
            state.SpecFile,
            state.CreatedAt,
            state.ReadyAt,
            model.Wan.ToString(),
            $"{model.Overlay.Backend.ToString().ToLowerInvariant()} {model.Overlay.Topology.ToString().ToLowerInvariant()}",
            state.Processes.FirstOrDefault(p => p.Role == "daemon") is { } daemon ? new DaemonStatus(daemon.Pid, Core.Processes.ProcTable.IsAlive(daemon.Pid, daemon.StartTicks)) : null,
            sites,
            nodes)
        {
            Problems = Problems(LocalNames.Fabric(model.Name)),
        };
    }

    public static void Print(StatusDocument status)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(status.Environment)}[/]: {status.Phase}, WAN {status.Wan}, overlay {status.Overlay}{(status.ReadyAt is { } ready ? $", up since {ready:u}" : "")}");
        AnsiConsole.MarkupLine(status.Daemon is { } d ? $"control daemon: pid {d.Pid} {(d.Running ? "[green]running[/]" : "[red]not running[/] (start it with geostage serve)")}" : "control daemon: [red]not started[/] (start it with geostage serve)");
        var sites = new Table().Border(TableBorder.Rounded).Title("sites");
        sites.AddColumns("site", "cidr", "router namespace", "wan", "tunnels (peer interface state)");

        foreach (var site in status.Sites)
        {
            var tunnels = string.Join("\n", site.Tunnels.Select(t => $"{Markup.Escape(t.Peer)} {Markup.Escape(t.Interface)} {Colour(t.State)} [grey]pid {t.Pid}[/]"));
            sites.AddRow(Markup.Escape(site.Name), site.Cidr, $"{Markup.Escape(site.RouterNamespace)} {Colour(site.State)}{Listed(site.Problems)}", site.WanAddress, tunnels);
        }

        if (status.Problems is { } fabric)
        {
            AnsiConsole.MarkupLine($"fabric: [red]degraded[/]{Listed(fabric)}");
        }

        AnsiConsole.Write(sites);
        var nodes = new Table().Border(TableBorder.Rounded).Title("nodes");
        nodes.AddColumns("node", "site", "namespace", "address", "state");

        foreach (var node in status.Nodes)
        {
            nodes.AddRow(Markup.Escape(node.Name), Markup.Escape(node.Site), Markup.Escape(node.Namespace), node.Address, $"{Colour(node.State)}{Listed(node.Problems)}");
        }

        AnsiConsole.Write(nodes);
    }

    private static string Listed(IReadOnlyList<string>? problems) =>
        problems is null ? "" : string.Concat(problems.Select(p => $"\n[red]{Markup.Escape(p)}[/]"));

    private static string Colour(string state) => state == "up" ? "[green]up[/]" : $"[red]{Markup.Escape(state)}[/]";
}
