using GeoStage.Balancer.Election;
using GeoStage.Control.Api;

namespace GeoStage.Control.Client;

/// <summary>Leases held through the control daemon's API, for electors that run as instances in node namespaces.</summary>
public sealed class HttpLeaseClient : ILeaseClient
{
    private readonly ControlClient _client;

    public HttpLeaseClient(ControlClient client)
    {
        _client = client;
    }

    public async Task<LeaseGrant> AcquireOrRenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.PostAsync<LeaseGrant>($"v1/leases/{Uri.EscapeDataString(name)}/acquire", new LeaseRequest(holder, ttl.TotalSeconds, null), cancellationToken).ConfigureAwait(false);
        }
        catch (DaemonNotRunningException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    public async Task<LeaseGrant> ReleaseAsync(string name, string holder, long term, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.PostAsync<LeaseGrant>($"v1/leases/{Uri.EscapeDataString(name)}/release", new LeaseRequest(holder, 0, term), cancellationToken).ConfigureAwait(false);
        }
        catch (DaemonNotRunningException e)
        {
            throw new IOException(e.Message, e);
        }
    }
}
