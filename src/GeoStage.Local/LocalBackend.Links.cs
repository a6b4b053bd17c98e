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
        var commands = new List<string> { "link set lo up" };
        commands.AddRange(BridgeCommands(LocalNames.WanBridge));
        foreach (var site in model.Sites)
        {
            commands.AddRange(BridgeCommands(LocalNames.SiteBridge(site)));
            commands.AddRange(RouterWanLeg(model, site));
            commands.AddRange(RouterLanLeg(model, site));
        }

        foreach (var node in model.Nodes)
        {
            commands.AddRange(NodeLeg(model, node));
        }

        return commands;
    }

    /// <summary>A bridge of the fabric, empty: its ports join it as their veth pairs are created.</summary>
    internal static string[] BridgeCommands(string bridge) => [$"link add {bridge} type bridge", $"link set {bridge} up"];

    /// <summary>From the fabric: the veth pair of a router's WAN leg, its far end moved into the router.</summary>
    internal static string[] RouterWanLeg(EnvironmentModel model, SiteModel site) =>
    [
        $"link add {LocalNames.RouterWanPeer(site)} type veth peer name {LocalNames.RouterWan} address {LocalNames.RouterWanMac(site)} netns {LocalNames.Router(model.Name, site.Name)}",
        $"link set {LocalNames.RouterWanPeer(site)} master {LocalNames.WanBridge} up",
    ];

    /// <summary>From the fabric: the veth pair of a router's LAN leg into its site's bridge.</summary>
    internal static string[] RouterLanLeg(EnvironmentModel model, SiteModel site) =>
    [
        $"link add {LocalNames.RouterLanPeer(site)} type veth peer name {LocalNames.RouterLan} address {LocalNames.RouterLanMac(site)} netns {LocalNames.Router(model.Name, site.Name)}",
        $"link set {LocalNames.RouterLanPeer(site)} master {LocalNames.SiteBridge(site)} up",
    ];

    /// <summary>From the fabric: a node's veth pair into its site's bridge.</summary>
    internal static string[] NodeLeg(EnvironmentModel model, NodeModel node) =>
    [
        $"link add {LocalNames.NodePeer(node)} type veth peer name {LocalNames.NodeInterface} address {LocalNames.NodeMac(node)} netns {LocalNames.Node(model.Name, node.Name)}",
        $"link set {LocalNames.NodePeer(node)} master {LocalNames.SiteBridge(model.Site(node.Site))} up",
    ];

    /// <summary>
    /// A router: WAN and LAN legs, and each of its tunnel ends' devices as the overlay driver plans them. The
    /// routes to the peer sites through those devices are added separately (<see cref="ChangeTunnelRoutesAsync"/>) and there is no
    /// other route to another site: the sites' isolation without the overlay is real, not filtered.
    /// </summary>
    internal static List<string> RouterCommands(EnvironmentModel model, SiteModel site) =>
    [
        "link set lo up",
        .. RouterWanConfig(model, site),
        .. RouterLanConfig(model, site),
        .. model.Overlay.Tunnels.Where(t => t.Joins(site.Name)).SelectMany(t => TunnelDevices(model, site, t)),
    ];

    /// <summary>
    /// Inside the router, its WAN leg: up, addressed, a permanent neighbour entry for every other router.
    /// Idempotent (replace, not add), so that a repair may apply it to a leg that is only partly there.
    /// </summary>
    internal static List<string> RouterWanConfig(EnvironmentModel model, SiteModel site) =>
    [
        $"link set {LocalNames.RouterWan} up",
        $"addr replace {site.RouterWan}/{Prefix(model.Wan)} dev {LocalNames.RouterWan}",
        .. model.Sites.Where(s => s.Name != site.Name).Select(other => Neighbour(other.RouterWan, LocalNames.RouterWanMac(other), LocalNames.RouterWan)),
    ];

    /// <summary>Inside the router, its LAN leg: up, the site's gateway address, a permanent neighbour entry per node. Idempotent.</summary>
    internal static List<string> RouterLanConfig(EnvironmentModel model, SiteModel site) =>
    [
        $"link set {LocalNames.RouterLan} up",
        $"addr replace {site.Gateway}/{Prefix(site.Cidr)} dev {LocalNames.RouterLan}",
        .. model.NodesIn(site.Name).Select(node => Neighbour(node.Address, LocalNames.NodeMac(node), LocalNames.RouterLan)),
    ];

    /// <summary>Inside a node: its leg up and addressed, its default route, permanent neighbour entries. Idempotent.</summary>
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
