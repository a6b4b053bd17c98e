using System.Globalization;
using GeoStage.Core.Model;

namespace GeoStage.Local.Namespaces;

/// <summary>
/// Names of what the local backend creates. Namespaces join parts with '_', which no DNS-1123 name
/// contains, so two environments can never claim the same namespace: <c>gs_ENV</c> holds the bridges
/// (the fabric), <c>gs_ENV_SITE_gw</c> is a site's router, <c>gs_ENV_NODE</c> a node.
/// Interface names inside the fabric use indexes because Linux allows only 15 characters.
/// </summary>
public static class LocalNames
{
    public const string Prefix = "gs_";
    public const string NodeInterface = "eth0";
    public const string RouterLan = "lan0";
    public const string RouterWan = "wan0";
    public const string WanBridge = "wan";

    public static string Fabric(string env) => Prefix + env;

    public static string Router(string env, string site) => $"{Prefix}{env}_{site}_gw";

    public static string Node(string env, string node) => $"{Prefix}{env}_{node}";

    public static string SiteBridge(SiteModel site) => $"s{site.Index}";

    public static string RouterWanPeer(SiteModel site) => $"r{site.Index}w";

    public static string RouterLanPeer(SiteModel site) => $"r{site.Index}l";

    public static string NodePeer(NodeModel node) => $"n{node.Index}";

    /// <summary>The tun device on <paramref name="site"/>'s router for the tunnel to <paramref name="peer"/>.</summary>
    public static string Tunnel(TunnelModel tunnel, string site)
    {
        var peer = tunnel.PeerOf(site);
        var name = "tun-" + peer;
        return name.Length <= 15 ? name : $"tun{tunnel.Index}";
    }

    /// <summary>
    /// <paramref name="site"/>'s one overlay interface when the overlay plans per site (WireGuard). Unique on
    /// the whole machine, not just in its router: wireguard-go names its control socket after it in one
    /// directory all namespaces share. The site's stable index keeps it unique in the environment, a hash of
    /// the environment's name across environments (a clash is refused when the socket exists).
    /// </summary>
    public static string SiteOverlay(string env, SiteModel site)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(env))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return string.Create(CultureInfo.InvariantCulture, $"wg{site.Index}-{hash & 0xffffff:x6}");
    }

    /// <summary>
    /// MAC addresses are chosen, not random, so that every neighbour entry can be written up front (see
    /// <see cref="LocalBackend"/>): locally administered, unique per bridge, derived from stable indexes.
    /// </summary>
    public static string NodeMac(NodeModel node) => Mac(0x4e, node.Index);

    public static string RouterLanMac(SiteModel site) => Mac(0x4c, site.Index);

    public static string RouterWanMac(SiteModel site) => Mac(0x57, site.Index);

    private static string Mac(byte kind, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"02:{kind:x2}:{(index >> 24) & 0xff:x2}:{(index >> 16) & 0xff:x2}:{(index >> 8) & 0xff:x2}:{index & 0xff:x2}");

    /// <summary>Every namespace of <paramref name="model"/>: the fabric first, then routers, then nodes.</summary>
    public static IReadOnlyList<string> All(EnvironmentModel model) =>
        [Fabric(model.Name), .. model.Sites.Select(s => Router(model.Name, s.Name)), .. model.Nodes.Select(n => Node(model.Name, n.Name))];
}
