using System.Net;
using GeoStage.Core.Model;

namespace GeoStage.Core.Validation;

/// <summary>A request to change a running topology that cannot be carried out; says what to fix.</summary>
public sealed class InvalidRequestException : Exception
{
    public InvalidRequestException(string message)
        : base(message)
    {
    }

    public InvalidRequestException()
    {
    }

    public InvalidRequestException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Checks and plans changes to a running environment's topology, with the same rules as the spec.</summary>
public static class TopologyEditor
{
    /// <summary>The node to add: a valid, unused name; an address inside the site, free, or the lowest free one.</summary>
    public static NodeModel PlanNode(EnvironmentModel model, string site, string name, string? address, IReadOnlyDictionary<string, string>? labels)
    {
        if (Names.Check(name) is { } problem)
        {
            throw new InvalidRequestException($"node name {problem}");
        }

        if (model.Nodes.Any(n => n.Name == name))
        {
            throw new InvalidRequestException($"node '{name}' already exists in {model.Name}; pick another name");
        }

        if (labels is not null && (labels.Count > Specs.SpecLimits.MaxEntries || labels.Any(l => l.Key.Length > Specs.SpecLimits.MaxTextChars || l.Value.Length > Specs.SpecLimits.MaxTextChars)))
        {
            throw new InvalidRequestException($"at most {Specs.SpecLimits.MaxEntries} labels of at most {Specs.SpecLimits.MaxTextChars} characters each are allowed: use fewer or shorter ones");
        }

        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (Labels.Check(key, value) is { } wrong)
            {
                throw new InvalidRequestException(wrong);
            }
        }

        var target = model.Sites.FirstOrDefault(s => s.Name == site)
            ?? throw new InvalidRequestException($"unknown site '{site}'; sites: {string.Join(", ", model.Sites.Select(s => s.Name))}");
        var taken = model.NodesIn(site).Select(n => Ipv4.ToUInt(n.Address)).Append(Ipv4.ToUInt(target.Gateway)).ToHashSet();
        IPAddress chosen;
        if (address is not null)
        {
            if (!Ipv4.TryParseAddress(address, out chosen, out var why))
            {
                throw new InvalidRequestException(why);
            }

            if (!Ipv4.IsHost(target.Cidr, chosen))
            {
                throw new InvalidRequestException($"{chosen} is not a host address of site '{site}' ({target.Cidr}); pick one inside it, or omit --address");
            }

            if (taken.Contains(Ipv4.ToUInt(chosen)))
            {
                throw new InvalidRequestException($"{chosen} is already used in site '{site}'; pick another, or omit --address");
            }
        }
        else
        {
            var (first, last) = Ipv4.Hosts(target.Cidr);
            var free = Enumerable.Range(0, (int)Math.Min(last - first + 1, int.MaxValue)).Select(i => first + (uint)i).FirstOrDefault(a => !taken.Contains(a));
            if (free == 0)
            {
                throw new InvalidRequestException($"site '{site}' ({target.Cidr}) has no free address left");
            }

            chosen = Ipv4.FromUInt(free);
        }

        return new NodeModel
        {
            Name = name,
            Index = model.Nodes.Count == 0 ? 0 : model.Nodes.Max(n => n.Index) + 1,
            Site = site,
            Address = chosen,
            Allocated = address is null,
            Labels = labels ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>
    /// The site to add and its tunnels to every existing site (the new site is the TLS client of each):
    /// a valid, unused name; a CIDR that overlaps no site, the WAN or a host network; a free router address
    /// on the WAN, or the lowest free one.
    /// </summary>
    public static (SiteModel Site, IReadOnlyList<TunnelModel> Tunnels) PlanSite(
        EnvironmentModel model, string name, string cidr, string? router, string? location, IReadOnlyList<HostNetwork> hostNetworks, HostLimits? hostLimits = null)
    {
        if (Names.Check(name) is { } problem)
        {
            throw new InvalidRequestException($"site name {problem}");
        }

        if (model.Sites.Any(s => s.Name == name))
        {
            throw new InvalidRequestException($"site '{name}' already exists in {model.Name}; pick another name");
        }

        // The location is stored and shown by every status: a 50 MB one made each status read 0.5 GB.
        if (location is { Length: > Specs.SpecLimits.MaxTextChars })
        {
            throw new InvalidRequestException($"the location is {location.Length:N0} characters long; at most {Specs.SpecLimits.MaxTextChars} are allowed: shorten it");
        }

        if (!Ipv4.TryParseNetwork(cidr, out var network, out var why))
        {
            throw new InvalidRequestException(why);
        }

        if (SpecValidator.ReservedOverlap(network) is { } reserved)
        {
            throw new InvalidRequestException(reserved);
        }

        if (network.PrefixLength > 30)
        {
            throw new InvalidRequestException($"{network} is too small for a router and a node; use at most a /30");
        }

        if (Ipv4.Overlaps(network, model.Wan))
        {
            throw new InvalidRequestException($"{network} overlaps the WAN {model.Wan}");
        }

        if (model.Sites.FirstOrDefault(s => Ipv4.Overlaps(s.Cidr, network)) is { } clash)
        {
            throw new InvalidRequestException($"{network} overlaps site '{clash.Name}' ({clash.Cidr}); sites need disjoint CIDRs");
        }

        if (hostNetworks.FirstOrDefault(h => Ipv4.Overlaps(h.Network, network)) is { } host)
        {
            throw new InvalidRequestException($"{network} overlaps {host.Network}, a network of this host ({host.Source}); pick a range the host does not use");
        }

        var used = model.Sites.Select(s => Ipv4.ToUInt(s.RouterWan)).ToHashSet();
        IPAddress wan;
        if (router is not null)
        {
            if (!Ipv4.TryParseAddress(router, out wan, out var bad))
            {
                throw new InvalidRequestException(bad);
            }

            if (!Ipv4.IsHost(model.Wan, wan) || used.Contains(Ipv4.ToUInt(wan)))
            {
                throw new InvalidRequestException($"{wan} is not a free host address of the WAN {model.Wan}; pick another, or omit --router");
            }
        }
        else
        {
            var (first, last) = Ipv4.Hosts(model.Wan);
            var free = first;
            while (free <= last && used.Contains(free))
            {
                free++;
            }

            wan = free <= last ? Ipv4.FromUInt(free) : throw new InvalidRequestException($"the WAN {model.Wan} has no free address for another router");
        }

        var site = new SiteModel
        {
            Name = name,
            Index = model.Sites.Count == 0 ? 0 : model.Sites.Max(s => s.Index) + 1,
            Cidr = network,
            RouterWan = wan,
            Gateway = Ipv4.FromUInt(Ipv4.Hosts(network).First),
            Location = location,
        };
        var next = model.Overlay.Tunnels.Count == 0 ? 0 : model.Overlay.Tunnels.Max(t => t.Index) + 1;
        var tunnels = model.Sites.Select((existing, i) => new TunnelModel
        {
            Index = next + i,
            Server = existing.Name,
            Client = name,
            Port = model.Overlay.BasePort + next + i,
        }).ToList();
        if (tunnels.Count > 0 && tunnels[^1].Port > 65535)
        {
            throw new InvalidRequestException($"no UDP port left for the tunnels of another site (overlay.port {model.Overlay.BasePort})");
        }

        // The processes of the running environment already count in ThreadsNow; only the new tunnels' are added.
        if (hostLimits is not null && model.Overlay.Backend == OverlayBackend.OpenVpn && 2L * tunnels.Count > hostLimits.ProcessesAvailable)
        {
            throw new InvalidRequestException($"another site in this {model.Sites.Count:N0}-site OpenVPN mesh needs {tunnels.Count:N0} tunnels and {2 * tunnels.Count:N0} openvpn processes; this host has {hostLimits.ProcessesAvailable:N0} to spare ({hostLimits.ProcessBound} {Math.Min(hostLimits.PidMax, hostLimits.ThreadsMax):N0}, {hostLimits.Headroom:N0} kept free). Remove a site first, or use overlay.backend: wireguard (one process per site)");
        }

        return (site, tunnels);
    }
}
