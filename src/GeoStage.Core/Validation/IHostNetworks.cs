using System.Net;

namespace GeoStage.Core.Validation;

/// <summary>A network the host itself uses, which no emulated address may fall in.</summary>
public sealed record HostNetwork(IPNetwork Network, string Source);

/// <summary>Reads the networks of the host's root namespace (its routes, the default route aside).</summary>
public interface IHostNetworks
{
    IReadOnlyList<HostNetwork> Read();
}
