using System.Net;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

public sealed class HostRoutesTests
{
    [RootFact]
    public void Read_RootNamespace_HasEveryNonDefaultRouteAndNoDefault()
    {
        var expected = RootSnapshot.Run("ip", "-4", "route", "show")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(dst => dst != "default")
            .Select(dst => IPNetwork.Parse(dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/32"))
            .ToList();

        var networks = new HostRoutes().Read().Select(h => h.Network).ToList();

        Assert.All(expected, network => Assert.Contains(network, networks));
        Assert.DoesNotContain(networks, n => n.PrefixLength == 0);
        Assert.Contains(networks, n => n.Contains(IPAddress.Loopback));
    }
}
