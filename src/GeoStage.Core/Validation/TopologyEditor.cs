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
}
