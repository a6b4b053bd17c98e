using System.Globalization;
using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Specs;

namespace GeoStage.Core.Validation;

public sealed partial class SpecValidator
{
    private static readonly string[] s_backends = ["openvpn", "wireguard"];
    private static readonly string[] s_topologies = ["mesh"];

    private List<SiteModel> BuildSites(EnvironmentSpec spec, IPNetwork? wan)
    {
        var sites = new List<SiteModel>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var routers = new Dictionary<uint, int>();
        for (var i = 0; i < spec.Sites.Count; i++)
        {
            var site = spec.Sites[i];
            var path = $"sites[{i}]";
            CheckName(site.Name, path + ".name");
            var duplicate = site.Name.Length > 0 && !names.TryAdd(site.Name, i);
            if (duplicate)
            {
                Error(path + ".name", $"site '{site.Name}' is already defined at sites[{names[site.Name]}]; site names must be unique");
            }

            var cidr = Network(site.Cidr, path + ".cidr");
            if (cidr is { } c)
            {
                if (wan is { } w && Ipv4.Overlaps(c, w))
                {
                    Error(path + ".cidr", $"{c} overlaps the WAN {w}; a site's LAN and the WAN must be disjoint");
                }

                foreach (var other in sites.Where(o => Ipv4.Overlaps(o.Cidr, c)))
                {
                    Error(path + ".cidr", $"{c} overlaps site '{other.Name}' ({other.Cidr}); sites need disjoint CIDRs");
                }
            }

            var router = Address(site.Router, path + ".router");
            if (router is not null && wan is { } wanNet)
            {
                if (!Ipv4.IsHost(wanNet, router))
                {
                    Error(path + ".router", $"{router} is not a host address of the WAN {wanNet}; pick one inside it");
                }
                else if (!routers.TryAdd(Ipv4.ToUInt(router), i))
                {
                    Error(path + ".router", $"{router} is already the router of site '{spec.Sites[routers[Ipv4.ToUInt(router)]].Name}'; every router needs its own WAN address");
                }
            }

            var gateway = cidr is { } lan ? Gateway(site.Gateway, lan, path + ".gateway") : null;
            // A second site of the same name stays out of the model: nodes look sites up by name.
            if (cidr is null || router is null || gateway is null || site.Name.Length == 0 || duplicate)
            {
                continue;
            }

            sites.Add(new SiteModel
            {
                Name = site.Name,
                Index = i,
                Cidr = cidr.Value,
                RouterWan = router,
                Gateway = gateway,
                Location = site.Location,
            });
        }

        return sites;
    }

    private IPAddress? Gateway(string? text, IPNetwork cidr, string path)
    {
        var (first, last) = Ipv4.Hosts(cidr);
        if (first > last || cidr.PrefixLength > 30)
        {
            Error(path[..path.LastIndexOf('.')] + ".cidr", $"{cidr} is too small for a router and a node; use at most a /30");
            return null;
        }

        if (text is null)
        {
            return Ipv4.FromUInt(first);
        }

        var gateway = Address(text, path);
        if (gateway is not null && !Ipv4.IsHost(cidr, gateway))
        {
            Error(path, $"{gateway} is not a host address of the site's CIDR {cidr}; pick one inside it");
            return null;
        }

        return gateway;
    }

    private List<NodeModel> BuildNodes(EnvironmentSpec spec, List<SiteModel> sites)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var taken = sites.ToDictionary(s => s.Name, s => new Dictionary<uint, string> { [Ipv4.ToUInt(s.Gateway)] = $"the router of site '{s.Name}'" });
        var resolved = new List<(NodeSpec Spec, int Index, SiteModel Site, IPAddress? Address)>();
        for (var i = 0; i < spec.Nodes.Count; i++)
        {
            var node = spec.Nodes[i];
            var path = $"nodes[{i}]";
            CheckName(node.Name, path + ".name");
            if (node.Name.Length > 0 && !names.TryAdd(node.Name, i))
            {
                Error(path + ".name", $"node '{node.Name}' is already defined at nodes[{names[node.Name]}]; node names must be unique");
            }

            CheckLabels(node, path);
            var site = sites.FirstOrDefault(s => s.Name == node.Site);
            if (site is null)
            {
                if (node.Site.Length > 0 && !spec.Sites.Any(s => s.Name == node.Site))
                {
                    var known = string.Join(", ", spec.Sites.Select(s => s.Name).Where(n => n.Length > 0));
                    Error(path + ".site", $"unknown site '{node.Site}'; sites defined: {known}");
                }

                continue;
            }

            var address = Address(node.Address, path + ".address");
            if (address is not null)
            {
                if (!Ipv4.IsHost(site.Cidr, address))
                {
                    Error(path + ".address", $"{address} is not a host address of site '{site.Name}' ({site.Cidr}); pick one inside it, or omit it to allocate one");
                    continue;
                }

                if (!taken[site.Name].TryAdd(Ipv4.ToUInt(address), $"node '{node.Name}'"))
                {
                    Error(path + ".address", $"{address} is already used by {taken[site.Name][Ipv4.ToUInt(address)]}; pick another, or omit it to allocate one");
                    continue;
                }
            }
            else if (node.Address is not null)
            {
                continue;
            }

            resolved.Add((node, i, site, address));
        }

        return Allocate(resolved, taken);
    }

    /// <summary>Gives nodes without an address the lowest free host address of their site, in spec order.</summary>
    private List<NodeModel> Allocate(List<(NodeSpec Spec, int Index, SiteModel Site, IPAddress? Address)> resolved, Dictionary<string, Dictionary<uint, string>> taken)
    {
        var nodes = new List<NodeModel>();
        var next = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var (node, index, site, written) in resolved)
        {
            var address = written;
            if (address is null)
            {
                var (first, last) = Ipv4.Hosts(site.Cidr);
                var candidate = next.GetValueOrDefault(site.Name, first);
                while (candidate <= last && taken[site.Name].ContainsKey(candidate))
                {
                    candidate++;
                }

                if (candidate > last || candidate < first)
                {
                    Error($"nodes[{index}]", $"site '{site.Name}' ({site.Cidr}) has no free address left for node '{node.Name}'; widen the site's CIDR");
                    continue;
                }

                taken[site.Name][candidate] = $"node '{node.Name}'";
                next[site.Name] = candidate + 1;
                address = Ipv4.FromUInt(candidate);
            }

            nodes.Add(new NodeModel
            {
                Name = node.Name,
                Index = index,
                Site = site.Name,
                Address = address,
                Allocated = written is null,
                Labels = node.Labels,
            });
        }

        return nodes;
    }

    private void CheckLabels(NodeSpec node, string path)
    {
        foreach (var (key, value) in node.Labels)
        {
            if (Labels.Check(key, value) is { } problem)
            {
                Error($"{path}.labels.{key}", problem);
            }
        }
    }

    private OverlayModel? BuildOverlay(OverlaySpec overlay, List<SiteModel> sites)
    {
        var ok = true;
        if (!s_backends.Contains(overlay.Backend, StringComparer.Ordinal))
        {
            Error("overlay.backend", $"unknown overlay backend '{overlay.Backend}'; supported: {string.Join(", ", s_backends)}");
            ok = false;
        }

        if (!s_topologies.Contains(overlay.Topology, StringComparer.Ordinal))
        {
            Error("overlay.topology", $"unknown overlay topology '{overlay.Topology}'; supported: {string.Join(", ", s_topologies)}");
            ok = false;
        }

        var pairs = sites.Count * (sites.Count - 1) / 2;
        var port = DefaultPort;
        if (overlay.Port is not null
            && (!int.TryParse(overlay.Port, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port + Math.Max(pairs, 1) - 1 > 65535))
        {
            Error("overlay.port", $"'{overlay.Port}' is not a usable first port for {pairs} tunnels; use a number from 1 to {65536 - Math.Max(pairs, 1)}");
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        var tunnels = new List<TunnelModel>();
        for (var i = 0; i < sites.Count; i++)
        {
            for (var j = i + 1; j < sites.Count; j++)
            {
                tunnels.Add(new TunnelModel { Index = tunnels.Count, Server = sites[i].Name, Client = sites[j].Name, Port = port + tunnels.Count });
            }
        }

        var backend = overlay.Backend == "wireguard" ? OverlayBackend.WireGuard : OverlayBackend.OpenVpn;
        return new OverlayModel { Backend = backend, Topology = OverlayTopology.Mesh, BasePort = port, Tunnels = tunnels };
    }
}
