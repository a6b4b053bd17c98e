using System.Net;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local;

/// <summary>The root namespace's IPv4 routes (every table, the default route aside): the networks no
/// emulated address may overlap.</summary>
public sealed class HostRoutes : IHostNetworks
{
    public IReadOnlyList<HostNetwork> Read()
    {
        var routes = Ip.JsonAsync(null, ["-4", "route", "show", "table", "all"], CancellationToken.None).GetAwaiter().GetResult();
        var networks = new List<HostNetwork>();
        foreach (var route in routes.EnumerateArray())
        {
            var dst = route.TryGetProperty("dst", out var d) ? d.GetString() : null;
            if (dst is null or "default")
            {
                continue;
            }

            var text = dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/32";
            if (IPNetwork.TryParse(text, out var network))
            {
                var dev = route.TryGetProperty("dev", out var v) ? $" dev {v.GetString()}" : "";
                networks.Add(new HostNetwork(network, $"route {dst}{dev}"));
            }
        }

        return networks;
    }
}
