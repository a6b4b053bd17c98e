using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Specs;

namespace GeoStage.Core.Validation;

/// <summary>
/// Turns a spec into a model, collecting every error (with file, line and column) before anything is
/// touched. Values the reader already reported as missing are empty here and are skipped, not re-reported.
/// </summary>
public sealed partial class SpecValidator
{
    public const int DefaultPort = 1194;

    private static readonly (IPNetwork Network, string Why)[] s_reserved =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
    ];

    /// <summary>What is wrong with emulating <paramref name="network"/> because it overlaps a reserved range, or null.</summary>
    public static string? ReservedOverlap(IPNetwork network) =>
        s_reserved.Where(r => Ipv4.Overlaps(network, r.Network)).Select(r => $"{network} overlaps {r.Why}; use a private range such as 10.0.0.0/8 or 192.168.0.0/16").FirstOrDefault();

    private readonly SourceMap _map;
    private readonly IReadOnlyList<HostNetwork> _hostNetworks;
    private readonly HostLimits? _hostLimits;
    private readonly List<SpecError> _errors;

    private SpecValidator(SpecDocument document, IReadOnlyList<HostNetwork> hostNetworks, HostLimits? hostLimits)
    {
        _map = document.Map;
        _hostNetworks = hostNetworks;
        _hostLimits = hostLimits;
        _errors = [.. document.Errors];
    }

    /// <summary>
    /// Reads and validates a topology file, against this host's limits unless <paramref name="hostLimits"/>
    /// are given; throws <see cref="SpecException"/> with every error found.
    /// </summary>
    public static EnvironmentModel LoadFile(string path, IHostNetworks hostNetworks, HostLimits? hostLimits = null)
    {
        return Load(SpecFile.Read(path), path, hostNetworks.Read(), hostLimits ?? HostLimits.Read());
    }

    /// <summary>Validates <paramref name="text"/>; with <paramref name="hostLimits"/>, also that the host can hold it.</summary>
    public static EnvironmentModel Load(string text, string file, IReadOnlyList<HostNetwork> hostNetworks, HostLimits? hostLimits = null) =>
        Validate(SpecReader.Read(text, file), hostNetworks, hostLimits);

    public static EnvironmentModel Validate(SpecDocument document, IReadOnlyList<HostNetwork> hostNetworks, HostLimits? hostLimits = null)
    {
        var validator = new SpecValidator(document, hostNetworks, hostLimits);
        var model = document.Spec is null ? null : validator.Build(document.Spec);

        if (validator._errors.Count > 0 || model is null)
        {
            var sorted = validator._errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
            throw new SpecException(sorted);
        }

        return model;
    }

    private EnvironmentModel? Build(EnvironmentSpec spec)
    {
        CheckName(spec.Name, "name");
        var wan = Network(spec.Wan, "wan");
        var sites = BuildSites(spec, wan);
        var nodes = BuildNodes(spec, sites);

        // Before the overlay is planned: a mesh the host cannot hold is not worth n(n-1)/2 tunnel plans.
        if (_errors.Count == 0 && _hostLimits is not null && !Fits(sites.Count, nodes.Count, spec.Overlay.Backend == "wireguard", _hostLimits, _map.Has("overlay.backend")))
        {
            return null;
        }

        var overlay = BuildOverlay(spec.Overlay, sites);
        if (_errors.Count > 0 || wan is null || overlay is null)
        {
            return null;
        }

        return new EnvironmentModel { Name = spec.Name, Wan = wan.Value, Sites = sites, Nodes = nodes, Overlay = overlay };
    }

    private void Error(string path, string message)
    {
        var at = _map.Find(path);
        _errors.Add(new SpecError(_map.File, at.Line, at.Column, path, message));
    }

    private void CheckName(string name, string path)
    {
        if (name.Length > 0 && Names.Check(name) is { } problem)
        {
            Error(path, problem);
        }
    }

    private IPNetwork? Network(string text, string path)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!Ipv4.TryParseNetwork(text, out var network, out var problem))
        {
            Error(path, problem);
            return null;
        }

        if (ReservedOverlap(network) is { } reserved)
        {
            Error(path, reserved);
            return null;
        }

        foreach (var host in _hostNetworks)
        {
            if (Ipv4.Overlaps(network, host.Network))
            {
                Error(path, $"{text} overlaps {host.Network}, a network of this host ({host.Source}); pick a range the host does not use");
                return null;
            }
        }

        return network;
    }

    private IPAddress? Address(string? text, string path)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!Ipv4.TryParseAddress(text, out var address, out var problem))
        {
            Error(path, problem);
            return null;
        }

        return address;
    }
}
