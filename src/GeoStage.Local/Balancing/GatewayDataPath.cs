using System.Net;
using GeoStage.Balancer.Replica;
using GeoStage.Local.Probing;

namespace GeoStage.Local.Balancing;

/// <summary>The data path works when the site's gateway answers ICMP echo through this node's interface.</summary>
public sealed class GatewayDataPath(string ns, IPAddress gateway) : IDataPath
{
    public async Task<bool> WorksAsync(CancellationToken cancellationToken)
    {
        var results = await IcmpProber.ProbeAsync(
            [new ProbeTarget("self", ns, "gateway", gateway)],
            new ProbeOptions { Count = 2, Interval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromMilliseconds(300) },
            cancellationToken).ConfigureAwait(false);
        return results[0].Reachable;
    }
}
