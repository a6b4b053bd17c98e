using System.Net;

namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// One backend the proxy may forward to. Compared by value, so a set handed to
/// <see cref="TcpProxy.UpdateBackends"/> keeps the health and counters of endpoints it still lists.
/// </summary>
public sealed record BackendEndpoint(IPEndPoint EndPoint)
{
    public override string ToString() => EndPoint.ToString();
}
