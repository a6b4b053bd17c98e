namespace GeoStage.Core.Specs;

/// <summary>
/// A topology file as the user wrote it. Values stay text here; <see cref="Validation.SpecValidator"/>
/// turns them into a typed <see cref="Model.EnvironmentModel"/> or a list of positioned errors.
/// </summary>
public sealed record EnvironmentSpec
{
    public required string Name { get; init; }
    public required string Wan { get; init; }
    public required IReadOnlyList<SiteSpec> Sites { get; init; }
    public required IReadOnlyList<NodeSpec> Nodes { get; init; }
    public OverlaySpec Overlay { get; init; } = new();
}

public sealed record SiteSpec
{
    public required string Name { get; init; }
    public required string Cidr { get; init; }

    /// <summary>The router's address on the WAN.</summary>
    public required string Router { get; init; }

    /// <summary>The router's address on the site LAN; the first host of <see cref="Cidr"/> when absent.</summary>
    public string? Gateway { get; init; }

    public string? Location { get; init; }
}

public sealed record NodeSpec
{
    public required string Name { get; init; }
    public required string Site { get; init; }

    /// <summary>Allocated from the site's CIDR when absent.</summary>
    public string? Address { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public sealed record OverlaySpec
{
    public string Backend { get; init; } = "openvpn";
    public string Topology { get; init; } = "mesh";

    /// <summary>First UDP port of the tunnels; tunnel k uses Port + k on both routers.</summary>
    public string? Port { get; init; }
}
