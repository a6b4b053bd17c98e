using System.Globalization;
using GeoStage.Core.Model;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    private const int BatchParallelism = 8;

    /// <summary>Bridges and veth pairs from the fabric, then every router and node configured in parallel.</summary>
    private static async Task BuildLinksAsync(EnvironmentModel model, CancellationToken cancellationToken)
    {
        await Ip.BatchAsync(LocalNames.Fabric(model.Name), FabricCommands(model), cancellationToken).ConfigureAwait(false);
        var jobs = model.Sites.Select(s => (Ns: LocalNames.Router(model.Name, s.Name), Commands: RouterCommands(model, s)))
            .Concat(model.Nodes.Select(n => (Ns: LocalNames.Node(model.Name, n.Name), Commands: NodeCommands(model, n))));
        await Parallel.ForEachAsync(
            jobs,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (job, ct) => await Ip.BatchAsync(job.Ns, job.Commands, ct).ConfigureAwait(false)).ConfigureAwait(false);

        foreach (var site in model.Sites)
        {
            NetNs.SetSysctl(LocalNames.Router(model.Name, site.Name), "net/ipv4/ip_forward", "1");
        }
    }

    internal static List<string> FabricCommands(EnvironmentModel model)
    {
        var commands = new List<string>
        {
            "link set lo up",
            $"link add {LocalNames.WanBridge} type bridge",
            $"link set {LocalNames.WanBridge} up",
        };
        foreach (var site in model.Sites)
        {
            var bridge = LocalNames.SiteBridge(site);
            var router = LocalNames.Router(model.Name, site.Name);
            commands.Add($"link add {bridge} type bridge");
            commands.Add($"link set {bridge} up");
            commands.Add($"link add {LocalNames.RouterWanPeer(site)} type veth peer name {LocalNames.RouterWan} address {LocalNames.RouterWanMac(site)} netns {router}");
            commands.Add($"link set {LocalNames.RouterWanPeer(site)} master {LocalNames.WanBridge} up");
            commands.Add($"link add {LocalNames.RouterLanPeer(site)} type veth peer name {LocalNames.RouterLan} address {LocalNames.RouterLanMac(site)} netns {router}");
            commands.Add($"link set {LocalNames.RouterLanPeer(site)} master {bridge} up");
        }

        foreach (var node in model.Nodes)
        {
            var peer = LocalNames.NodePeer(node);
            commands.Add($"link add {peer} type veth peer name {LocalNames.NodeInterface} address {LocalNames.NodeMac(node)} netns {LocalNames.Node(model.Name, node.Name)}");
            commands.Add($"link set {peer} master {LocalNames.SiteBridge(model.Site(node.Site))} up");
        }

        return commands;
    }

    /// <summary>
    /// A router: WAN and LAN legs, and one persistent tun device per tunnel. The routes to the peer sites
    /// through those devices are added separately (<see cref="ChangeTunnelRoutesAsync"/>) and there is no
    /// other route to another site: the sites' isolation without the overlay is real, not filtered.
    /// </summary>
    internal static List<string> RouterCommands(EnvironmentModel model, SiteModel site)
    {
        var commands = new List<string>
        {
            "link set lo up",
            $"link set {LocalNames.RouterWan} up",
            $"addr add {site.RouterWan}/{Prefix(model.Wan)} dev {LocalNames.RouterWan}",
            $"link set {LocalNames.RouterLan} up",
            $"addr add {site.Gateway}/{Prefix(site.Cidr)} dev {LocalNames.RouterLan}",
        };
        foreach (var node in model.NodesIn(site.Name))
        {
            commands.Add(Neighbour(node.Address, LocalNames.NodeMac(node), LocalNames.RouterLan));
        }

        foreach (var other in model.Sites.Where(s => s.Name != site.Name))
        {
            commands.Add(Neighbour(other.RouterWan, LocalNames.RouterWanMac(other), LocalNames.RouterWan));
        }

        foreach (var tunnel in model.Overlay.Tunnels.Where(t => t.Joins(site.Name)))
        {
            var device = LocalNames.Tunnel(tunnel, site.Name);
            commands.Add($"tuntap add dev {device} mode tun");
            commands.Add($"link set {device} up");
        }

        return commands;
    }

    /// <summary>The route to the peer site through the tunnel; router-originated packets leave from the LAN address.</summary>
    internal static IEnumerable<string> TunnelRoutes(EnvironmentModel model, SiteModel site, TunnelModel tunnel, string verb)
    {
        var peer = model.Site(tunnel.PeerOf(site.Name));
        yield return $"route {verb} {peer.Cidr} dev {LocalNames.Tunnel(tunnel, site.Name)} src {site.Gateway}";
    }

    internal static List<string> NodeCommands(EnvironmentModel model, NodeModel node)
    {
        var site = model.Site(node.Site);
        List<string> commands =
        [
            "link set lo up",
            $"link set {LocalNames.NodeInterface} up",
            // "replace", not "add": the same commands finish a node add that a crash interrupted part-way.
            $"addr replace {node.Address}/{Prefix(site.Cidr)} dev {LocalNames.NodeInterface}",
            $"route replace default via {site.Gateway}",
            Neighbour(site.Gateway, LocalNames.RouterLanMac(site), LocalNames.NodeInterface),
        ];
        foreach (var other in model.NodesIn(site.Name).Where(n => n.Name != node.Name))
        {
            commands.Add(Neighbour(other.Address, LocalNames.NodeMac(other), LocalNames.NodeInterface));
        }

        return commands;
    }

    /// <summary>
    /// A permanent neighbour entry. Linux keeps one ARP table for all namespaces and stops resolving when
    /// its dynamic entries pass net.ipv4.neigh.default.gc_thresh3 (1024): a 100-node environment would
    /// silently lose packets ("neighbor table overflow"). Permanent entries are exempt from that limit, and
    /// GeoStage knows every address and MAC, so it writes them all instead of raising a host setting.
    /// </summary>
    private static string Neighbour(System.Net.IPAddress address, string mac, string device) =>
        $"neigh replace {address} lladdr {mac} dev {device} nud permanent";

    private static string Prefix(System.Net.IPNetwork network) => network.PrefixLength.ToString(CultureInfo.InvariantCulture);
}
