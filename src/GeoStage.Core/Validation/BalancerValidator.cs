using System.Globalization;
using GeoStage.Core.Model;
using GeoStage.Core.Specs;

namespace GeoStage.Core.Validation;

/// <summary>
/// Balancers against the environment and the workloads they front, every error with its position: a
/// VIP outside its site or already an address there, replicas outside the site or none at all, a
/// listener for an unknown workload, two listeners on one port, a bad policy, duration or limit.
/// </summary>
public sealed class BalancerValidator
{
    private static readonly Dictionary<string, BalancePolicy> s_policies = new(StringComparer.Ordinal)
    {
        ["round-robin"] = BalancePolicy.RoundRobin,
        ["least-connections"] = BalancePolicy.LeastConnections,
        ["source-hash"] = BalancePolicy.SourceHash,
    };

    private readonly SourceMap _map;
    private readonly List<SpecError> _errors;
    private readonly EnvironmentModel _environment;

    private BalancerValidator(BalancerDocument document, EnvironmentModel environment)
    {
        _map = document.Map;
        _errors = [.. document.Errors];
        _environment = environment;
    }

    /// <summary>Validates; <paramref name="workloads"/> are the names a listener may forward to.</summary>
    public static IReadOnlyList<BalancerModel> Validate(BalancerDocument document, EnvironmentModel environment, IReadOnlyCollection<string> workloads)
    {
        var validator = new BalancerValidator(document, environment);
        var models = new List<BalancerModel>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var vips = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < document.Balancers.Count; i++)
        {
            var spec = document.Balancers[i];
            var path = $"balancers[{i}]";
            if (spec.Name.Length > 0 && (Names.Check(spec.Name) is { } problem))
            {
                validator.Error(path + ".name", problem);
            }
            else if (spec.Name.Length > 0 && !names.Add(spec.Name))
            {
                validator.Error(path + ".name", $"balancer '{spec.Name}' is defined twice; names must be unique");
            }

            if (validator.Build(spec, path, workloads) is { } model)
            {
                if (!vips.TryAdd(model.Vip.ToString(), model.Name))
                {
                    validator.Error(path + ".vip", $"{model.Vip} is already the VIP of balancer '{vips[model.Vip.ToString()]}'");
                    continue;
                }

                models.Add(model);
            }
        }

        if (validator._errors.Count > 0)
        {
            throw new SpecException([.. validator._errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return models;
    }

    public static IReadOnlyList<BalancerModel> Load(string text, string file, EnvironmentModel environment, IReadOnlyCollection<string> workloads) =>
        Validate(SpecReader.ReadBalancers(text, file), environment, workloads);

    private BalancerModel? Build(BalancerSpec spec, string path, IReadOnlyCollection<string> workloads)
    {
        var before = _errors.Count;
        var site = spec.Site.Length == 0 ? null : _environment.Sites.FirstOrDefault(s => s.Name == spec.Site);
        if (spec.Site.Length > 0 && site is null)
        {
            Error(path + ".site", $"unknown site '{spec.Site}'; sites: {string.Join(", ", _environment.Sites.Select(s => s.Name))}");
        }

        System.Net.IPAddress? vip = null;
        if (spec.Vip.Length > 0)
        {
            if (!Ipv4.TryParseAddress(spec.Vip, out var parsed, out var why))
            {
                Error(path + ".vip", why);
            }
            else if (site is not null && !Ipv4.IsHost(site.Cidr, parsed))
            {
                Error(path + ".vip", $"{parsed} is not a host address of site '{site.Name}' ({site.Cidr}); a VIP moves by ARP, so it must be on the site's LAN");
            }
            else if (site is not null && (parsed.Equals(site.Gateway) || _environment.NodesIn(site.Name).FirstOrDefault(n => n.Address.Equals(parsed)) is not null))
            {
                Error(path + ".vip", $"{parsed} is already an address in site '{site.Name}'; pick a free one");
            }
            else
            {
                vip = parsed;
            }
        }

        var replicas = new PlacementModel
        {
            Labels = spec.Replicas.Labels,
            Sites = site is null ? [] : [site.Name],
            Nodes = spec.Replicas.Nodes,
            PerSite = spec.Replicas.PerSite is null ? null : Positive(spec.Replicas.PerSite, path + ".replicas.perSite", 2),
        };
        foreach (var (node, i) in spec.Replicas.Nodes.Select((n, i) => (n, i)))
        {
            var found = _environment.Nodes.FirstOrDefault(n => n.Name == node);
            if (found is null || (site is not null && found.Site != site.Name))
            {
                Error($"{path}.replicas.nodes[{i}]", found is null ? $"unknown node '{node}'" : $"node '{node}' is in site '{found.Site}', not '{site!.Name}': replicas share the VIP, so they share its LAN");
            }
        }

        if (site is not null && _errors.Count == before && replicas.Select(_environment).Count == 0)
        {
            Error(path + ".replicas", $"selects no node of site '{site.Name}'; give nodes, labels or perSite that match");
        }

        var listeners = Listeners(spec, path, workloads);
        var policy = BalancePolicy.RoundRobin;
        if (spec.Policy is not null && !s_policies.TryGetValue(spec.Policy, out policy))
        {
            Error(path + ".policy", $"unknown policy '{spec.Policy}'; use one of {string.Join(", ", s_policies.Keys)}");
        }

        var model = new BalancerModel
        {
            Name = spec.Name,
            Site = spec.Site,
            Vip = vip ?? System.Net.IPAddress.None,
            Replicas = replicas,
            Listeners = listeners,
            Policy = policy,
            HealthInterval = Duration(spec.HealthInterval, path + ".healthInterval", TimeSpan.FromMilliseconds(500)),
            ConnectTimeout = Duration(spec.ConnectTimeout, path + ".connectTimeout", TimeSpan.FromSeconds(2)),
            IdleTimeout = Duration(spec.IdleTimeout, path + ".idleTimeout", TimeSpan.FromMinutes(5)),
            MaxConnections = Positive(spec.MaxConnections, path + ".maxConnections", 10_000),
            MaxPerBackend = Positive(spec.MaxPerBackend, path + ".maxPerBackend", 1_000),
            LeaseTtl = Duration(spec.LeaseTtl, path + ".leaseTtl", TimeSpan.FromSeconds(1)),
            OnLeader = spec.OnLeader,
            OnFollower = spec.OnFollower,
        };
        return _errors.Count > before || vip is null || site is null || spec.Name.Length == 0 ? null : model;
    }

    private List<ListenerModel> Listeners(BalancerSpec spec, string path, IReadOnlyCollection<string> workloads)
    {
        var listeners = new List<ListenerModel>();
        for (var i = 0; i < spec.Listeners.Count; i++)
        {
            var listener = spec.Listeners[i];
            var at = $"{path}.listeners[{i}]";
            if (listener.Protocol != "tcp")
            {
                Error(at + ".protocol", $"protocol '{listener.Protocol}' is not supported; the balancer forwards tcp");
            }

            if (listener.Backend.Length > 0 && !workloads.Contains(listener.Backend))
            {
                Error(at + ".backend", $"unknown workload '{listener.Backend}'; deploy it first or define it in this file");
            }

            var port = Port(listener.Port, at + ".port");
            var backendPort = Port(listener.BackendPort, at + ".backendPort");
            if (port is { } p && listeners.Any(l => l.Port == p))
            {
                Error(at + ".port", $"port {p} is already a listener of balancer '{spec.Name}'");
            }
            else if (port is { } listen && backendPort is { } target && listener.Backend.Length > 0)
            {
                listeners.Add(new ListenerModel(listen, listener.Backend, target));
            }
        }

        return listeners;
    }

    private int? Port(string text, string path) => text.Length == 0 ? null : ValueChecks.Port(text, path, Error);

    private int Positive(string? text, string path, int fallback) => ValueChecks.Positive(text, path, fallback, Error);

    private TimeSpan Duration(string? text, string path, TimeSpan fallback) => ValueChecks.Duration(text, path, fallback, Error);

    private void Error(string path, string message)
    {
        var at = _map.Find(path);
        _errors.Add(new SpecError(_map.File, at.Line, at.Column, path, message));
    }
}
