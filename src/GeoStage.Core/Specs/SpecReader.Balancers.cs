using GeoStage.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace GeoStage.Core.Specs;

/// <summary>The balancers of a file, where they came from, and what was structurally wrong.</summary>
public sealed record BalancerDocument(IReadOnlyList<BalancerSpec> Balancers, SourceMap Map, IReadOnlyList<SpecError> Errors);

public sealed partial class SpecReader
{
    internal static readonly string[] BalancerKeys =
        ["name", "site", "vip", "replicas", "listeners", "policy", "healthInterval", "connectTimeout", "idleTimeout", "maxConnections", "maxPerBackend", "leaseTtl", "onLeader", "onFollower"];

    internal static readonly string[] ListenerKeys = ["port", "protocol", "backend", "backendPort"];

    /// <summary>Reads the <c>balancers</c> list of a file (absent: none).</summary>
    public static BalancerDocument ReadBalancers(string text, string file)
    {
        var reader = new SpecReader(file);
        var balancers = reader.ReadBalancerDocument(text);
        return new BalancerDocument(balancers, reader._map, reader._errors);
    }

    private List<BalancerSpec> ReadBalancerDocument(string text) =>
        LoadSection(text, notMapping: null) is var (root, fields)
            ? List(fields, root, "", "balancers", ReadBalancer, required: false)
            : [];

    private BalancerSpec? ReadBalancer(YamlNode node, string path)
    {
        if (Mapping(node, path, "a balancer: name, site, vip, replicas and listeners") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, path, BalancerKeys);
        return new BalancerSpec
        {
            Name = RequiredScalar(fields, node, path, "name", "the balancer's name, e.g. name: front"),
            Site = RequiredScalar(fields, node, path, "site", "the site whose LAN holds the VIP"),
            Vip = RequiredScalar(fields, node, path, "vip", "the virtual IP, an address of the site's CIDR"),
            Replicas = fields.TryGetValue("replicas", out var replicas) ? ReadPlacement(replicas, path + ".replicas") : new PlacementSpec(),
            Listeners = List(fields, node, path, "listeners", ReadListener, required: true, itemPrefix: path + ".listeners"),
            Policy = OptionalScalar(fields, path, "policy"),
            HealthInterval = OptionalScalar(fields, path, "healthInterval"),
            ConnectTimeout = OptionalScalar(fields, path, "connectTimeout"),
            IdleTimeout = OptionalScalar(fields, path, "idleTimeout"),
            MaxConnections = OptionalScalar(fields, path, "maxConnections"),
            MaxPerBackend = OptionalScalar(fields, path, "maxPerBackend"),
            LeaseTtl = OptionalScalar(fields, path, "leaseTtl"),
            OnLeader = Strings(fields, path, "onLeader"),
            OnFollower = Strings(fields, path, "onFollower"),
        };
    }

    private ListenerSpec? ReadListener(YamlNode node, string path)
    {
        if (Mapping(node, path, "a listener: port, backend and backendPort") is not { } map)
        {
            return null;
        }

        var fields = Fields(map, path, ListenerKeys);
        return new ListenerSpec
        {
            Port = RequiredScalar(fields, node, path, "port", "the port on the VIP, e.g. port: 80"),
            Protocol = OptionalScalar(fields, path, "protocol") ?? "tcp",
            Backend = RequiredScalar(fields, node, path, "backend", "the workload to forward to"),
            BackendPort = RequiredScalar(fields, node, path, "backendPort", "the workload's port, e.g. backendPort: 7000"),
        };
    }
}
