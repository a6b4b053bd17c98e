using System.Net;
using GeoStage.Balancer.Replica;
using GeoStage.Control.Api;
using GeoStage.Control.Client;

namespace GeoStage.Control.Balancers;

/// <summary>Backends from the daemon: the node addresses of a workload's healthy instances.</summary>
public sealed class DaemonBackendSource(ControlClient client) : IBackendSource
{
    public async Task<IReadOnlyList<IPEndPoint>> ReadAsync(string workload, int port, CancellationToken cancellationToken)
    {
        try
        {
            var instances = await client.GetAsync<List<InstanceView>>($"v1/instances?workload={Uri.EscapeDataString(workload)}", cancellationToken).ConfigureAwait(false);
            return [.. instances.Where(i => i.State == "healthy" && i.Address is not null).Select(i => new IPEndPoint(IPAddress.Parse(i.Address!), port))];
        }
        catch (DaemonNotRunningException e)
        {
            throw new IOException(e.Message, e);
        }
    }
}
