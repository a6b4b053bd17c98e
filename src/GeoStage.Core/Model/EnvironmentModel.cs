using System.Net;

namespace GeoStage.Core.Model;

/// <summary>A validated environment: every address resolved, every name checked, every tunnel planned.</summary>
public sealed record EnvironmentModel
{
    public required string Name { get; init; }
    public required IPNetwork Wan { get; init; }
    public required IReadOnlyList<SiteModel> Sites { get; init; }
    public required IReadOnlyList<NodeModel> Nodes { get; init; }
    public required OverlayModel Overlay { get; init; }

    public SiteModel Site(string name) =>
        Sites.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"no site '{name}' in environment {Name}");

    public IEnumerable<NodeModel> NodesIn(string site) => Nodes.Where(n => n.Site == site);
}

public sealed record SiteModel
{
    public required string Name { get; init; }

    /// <summary>Stable within the environment; names fabric links, so it never changes once given.</summary>
    public required int Index { get; init; }

    public required IPNetwork Cidr { get; init; }
    public required IPAddress RouterWan { get; init; }
    public required IPAddress Gateway { get; init; }
    public string? Location { get; init; }
}

public sealed record NodeModel
{
    public required string Name { get; init; }
    public required int Index { get; init; }
    public required string Site { get; init; }
    public required IPAddress Address { get; init; }

    /// <summary>True when the address was allocated rather than written in the spec.</summary>
    public bool Allocated { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public enum OverlayBackend
{
    OpenVpn,
    WireGuard,
}

public enum OverlayTopology
{
    Mesh,
}

public sealed record OverlayModel
{
    public required OverlayBackend Backend { get; init; }
    public required OverlayTopology Topology { get; init; }
    public required int BasePort { get; init; }
    public required IReadOnlyList<TunnelModel> Tunnels { get; init; }
}

/// <summary>One site-to-site tunnel. <see cref="Server"/> is the TLS server end; both ends use <see cref="Port"/>.</summary>
public sealed record TunnelModel
{
    public required int Index { get; init; }
    public required string Server { get; init; }
    public required string Client { get; init; }
    public required int Port { get; init; }

    public string PeerOf(string site) => site == Server ? Client : Server;

    public bool Joins(string site) => site == Server || site == Client;
}
