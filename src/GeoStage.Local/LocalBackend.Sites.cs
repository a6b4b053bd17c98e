using System.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Probing;
using GeoStage.Local.Processes;
using GeoStage.Overlay.Pki;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>
    /// Adds a site to a running environment: its router namespace, LAN bridge and WAN leg, its credentials,
    /// and a tunnel to every existing site (tun device, route and two OpenVPN processes each). Returns once
    /// the new router reaches every other site's router through its tunnel. Fails whole.
    /// </summary>
    public async Task<EnvironmentState> AddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var model = state.Model with
        {
            Sites = [.. state.Model.Sites, site],
            Overlay = state.Model.Overlay with { Tunnels = [.. state.Model.Overlay.Tunnels, .. tunnels] },
        };
        var ns = LocalNames.Router(model.Name, site.Name);
        if (Ip.Exists(ns))
        {
            throw new InvalidRequestException($"network namespace {ns} already exists; remove it or pick another site name");
        }

        var grown = state with { Model = model, Namespaces = [.. state.Namespaces, ns] };
        _store.Save(grown);
        var started = new List<Process>();
        try
        {
            await Ip.BatchAsync(null, [$"netns add {ns}"], cancellationToken).ConfigureAwait(false);
            var bridge = LocalNames.SiteBridge(site);
            await Ip.BatchAsync(LocalNames.Fabric(model.Name), [.. BridgeCommands(bridge), .. RouterWanLeg(model, site), .. RouterLanLeg(model, site)], cancellationToken).ConfigureAwait(false);
            var jobs = state.Model.Sites.Select(other =>
            {
                var tunnel = tunnels.First(t => t.Joins(other.Name));
                var device = LocalNames.Tunnel(tunnel, other.Name);
                return (Ns: LocalNames.Router(model.Name, other.Name), Commands: (IEnumerable<string>)[
                    Neighbour(site.RouterWan, LocalNames.RouterWanMac(site), LocalNames.RouterWan),
                    .. TunDevice(device),
                    .. TunnelRoutes(model, other, tunnel, "add"),
                ]);
            }).Append((Ns: ns, Commands: [.. RouterCommands(model, site), .. tunnels.SelectMany(t => TunnelRoutes(model, site, t, "add"))]));
            await Parallel.ForEachAsync(
                jobs,
                new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
                async (job, ct) => await Ip.BatchAsync(job.Ns, job.Commands, ct).ConfigureAwait(false)).ConfigureAwait(false);
            NetNs.SetSysctl(ns, "net/ipv4/ip_forward", "1");

            SiteCredentials.Generate(model.Name, site.Name, _time).WriteTo(_store.EnsureDirectory(model.Name, "overlay"));
            grown = StartTunnels(grown, tunnels, started, cancellationToken);
            await WaitTunnelsAsync(model, site, timeout, cancellationToken).ConfigureAwait(false);
            return grown;
        }
        catch
        {
            await RemoveSiteCoreAsync(grown, site.Name, CancellationToken.None).ConfigureAwait(false);
            _store.Save(state);
            throw;
        }
        finally
        {
            foreach (var process in started)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>Removes a site without nodes: its tunnels at both ends and their tls-crypt keys, its router and its bridge.</summary>
    public async Task<EnvironmentState> RemoveSiteAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        if (state.Model.Sites.All(s => s.Name != name))
        {
            throw new InvalidRequestException($"no site '{name}' in {state.Model.Name}");
        }

        if (state.Model.NodesIn(name).Any())
        {
            throw new InvalidRequestException($"site '{name}' still has nodes ({string.Join(", ", state.Model.NodesIn(name).Select(n => n.Name))}); remove them first");
        }

        var shrunk = await RemoveSiteCoreAsync(state, name, cancellationToken).ConfigureAwait(false);
        _store.Save(shrunk);
        return shrunk;
    }

    private async Task<EnvironmentState> RemoveSiteCoreAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var site = model.Site(name);
        var tunnels = model.Overlay.Tunnels.Where(t => t.Joins(name)).ToList();
        var ending = state.Processes.Where(p => p.Role == "openvpn" && (p.Site == name || p.Peer == name)).ToList();
        await Task.WhenAll(ending.Select(p => ProcessLauncher.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);
        foreach (var tunnel in tunnels)
        {
            TlsCryptKey.Delete(Path.Combine(_store.DirectoryOf(model.Name), "overlay"), tunnel);
        }

        var ns = LocalNames.Router(model.Name, name);
        if (Ip.Exists(ns))
        {
            await Ip.BatchAsync(null, [$"netns del {ns}"], cancellationToken).ConfigureAwait(false);
        }

        var fabric = LocalNames.Fabric(model.Name);
        await Ip.BatchAsync(fabric, [$"link del {LocalNames.SiteBridge(site)}"], cancellationToken).ConfigureAwait(false);
        foreach (var other in model.Sites.Where(s => s.Name != name && Ip.Exists(LocalNames.Router(model.Name, s.Name))))
        {
            var device = tunnels.FirstOrDefault(t => t.Joins(other.Name)) is { } tunnel ? LocalNames.Tunnel(tunnel, other.Name) : null;
            var commands = new List<string> { $"neigh del {site.RouterWan} dev {LocalNames.RouterWan}" };
            if (device is not null)
            {
                commands.Add($"link del {device}");
            }

            // -force: a neighbour or device already gone is no reason to stop the clean-up.
            await ToolRunner.RunAsync(Ip.Tool, ["-n", LocalNames.Router(model.Name, other.Name), "-force", "-batch", "-"], string.Join('\n', commands) + "\n", cancellationToken).ConfigureAwait(false);
        }

        return state with
        {
            Model = model with
            {
                Sites = [.. model.Sites.Where(s => s.Name != name)],
                Overlay = model.Overlay with { Tunnels = [.. model.Overlay.Tunnels.Where(t => !t.Joins(name))] },
            },
            Namespaces = [.. state.Namespaces.Where(n => n != ns)],
            Processes = [.. state.Processes.Except(ending)],
        };
    }

    /// <summary>Waits until the new site's router reaches every other router's LAN address through its tunnels.</summary>
    private async Task WaitTunnelsAsync(EnvironmentModel model, SiteModel site, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ns = LocalNames.Router(model.Name, site.Name);
        var targets = model.Sites.Where(s => s.Name != site.Name).Select(s => new ProbeTarget(site.Name, ns, s.Name, s.Gateway)).ToList();
        var found = await IcmpProber.ProbeAsync(targets, new ProbeOptions { UntilReachableWithin = timeout, Interval = TimeSpan.FromMilliseconds(100) }, cancellationToken).ConfigureAwait(false);
        if (found.FirstOrDefault(r => !r.Reachable) is { } missing)
        {
            throw new TimeoutException($"the tunnel from site {site.Name} to {missing.Target.To} did not come up within {timeout.TotalSeconds:0} s; see the OpenVPN logs in {_store.DirectoryOf(model.Name)}/logs");
        }
    }
}
