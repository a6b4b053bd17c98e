using GeoStage.Core.Processes;
using System.Diagnostics;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Probing;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>
    /// Adds a site to a running environment: its router namespace, LAN bridge and WAN leg, its credentials,
    /// and a tunnel to every existing site (tun device, route and two OpenVPN processes each). Returns once
    /// the new router reaches every other site's router through its tunnel. Fails whole.
    /// </summary>
    public Task<EnvironmentState> AddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, TimeSpan timeout, CancellationToken cancellationToken) =>
        AddSiteAsync(state, site, tunnels, timeout, steps: null, cancellationToken);

    /// <summary>Adds a site, reporting each step done to <paramref name="steps"/> (namespace, links, tunnels).</summary>
    public async Task<EnvironmentState> AddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, TimeSpan timeout, IProgress<string>? steps, CancellationToken cancellationToken)
    {
        async Task StepAsync(string step)
        {
            steps?.Report(step);
            await TestPause.AtAsync("site-add." + step, cancellationToken).ConfigureAwait(false);
        }

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

        // A per-site interface (WireGuard) exists only once its process runs: the new site's routes go in then.
        var siteScoped = IsSiteScoped(model);
        var grown = state with { Model = model, Namespaces = [.. state.Namespaces, ns] };
        _store.Save(grown);
        var started = new List<Process>();
        try
        {
            await Ip.BatchAsync(null, [$"netns add {ns}"], cancellationToken).ConfigureAwait(false);
            await StepAsync("namespace").ConfigureAwait(false);
            var bridge = LocalNames.SiteBridge(site);
            await Ip.BatchAsync(LocalNames.Fabric(model.Name), [.. BridgeCommands(bridge), .. RouterWanLeg(model, site), .. RouterLanLeg(model, site)], cancellationToken).ConfigureAwait(false);
            var jobs = state.Model.Sites.Select(other =>
            {
                var tunnel = tunnels.First(t => t.Joins(other.Name));
                return (Ns: LocalNames.Router(model.Name, other.Name), Commands: (IEnumerable<string>)[
                    Neighbour(site.RouterWan, LocalNames.RouterWanMac(site), LocalNames.RouterWan),
                    .. TunnelDevices(model, other, tunnel),
                    .. TunnelRoutes(model, other, tunnel, "add"),
                ]);
            }).Append((Ns: ns, Commands: [.. RouterCommands(model, site), .. (siteScoped ? [] : tunnels.SelectMany(t => TunnelRoutes(model, site, t, "add")))]));
            await Parallel.ForEachAsync(
                jobs,
                new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
                async (job, ct) => await Ip.BatchAsync(job.Ns, job.Commands, ct).ConfigureAwait(false)).ConfigureAwait(false);
            NetNs.SetSysctl(ns, "net/ipv4/ip_forward", "1");
            await StepAsync("links").ConfigureAwait(false);

            DriverOf(model).CreateSiteKeys(_store.EnsureDirectory(model.Name, "overlay"), model.Name, site.Name, _time);
            if (siteScoped)
            {
                // The other sites' interfaces keep running: the new site is one more peer of each.
                await AddPeerAsync(model, site.Name, cancellationToken).ConfigureAwait(false);
                grown = await StartSiteInterfacesAsync(grown, [site.Name], withRoutes: true, started, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                grown = StartTunnels(grown, tunnels, started, cancellationToken);
            }

            await StepAsync("tunnels").ConfigureAwait(false);
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

    /// <summary>
    /// Undoes a site add that a crash interrupted at any step: whatever of the site exists goes, including
    /// tunnel processes that were started but not yet recorded. Safe when nothing of it was created.
    /// </summary>
    public async Task<EnvironmentState> UndoAddSiteAsync(EnvironmentState state, SiteModel site, IReadOnlyList<TunnelModel> tunnels, CancellationToken cancellationToken)
    {
        var model = state.Model.Sites.Any(s => s.Name == site.Name) ? state.Model : state.Model with
        {
            Sites = [.. state.Model.Sites, site],
            Overlay = state.Model.Overlay with { Tunnels = [.. state.Model.Overlay.Tunnels.Where(t => !t.Joins(site.Name)), .. tunnels] },
        };

        // A peer end started in another router just before the crash has no record: find it by its config file.
        var overlay = Path.Combine(_store.DirectoryOf(model.Name), "overlay");
        var strays = model.Sites.Where(s => s.Name != site.Name)
            .Select(s => (Ns: LocalNames.Router(model.Name, s.Name), Config: Path.Combine(overlay, $"{s.Name}-{site.Name}.conf")))
            .Where(p => Ip.Exists(p.Ns))
            .SelectMany(p => ProcTable.InNamespace(NetNs.Identity(p.Ns)).Where(pid => CommandLineHas(pid, p.Config)))
            .Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid)))
            .Where(p => p.Ticks is not null && state.Processes.All(r => r.Pid != p.Pid))
            .ToList();
        await Task.WhenAll(strays.Select(p => HostProcesses.StopAsync(p.Pid, p.Ticks!.Value, s_grace, cancellationToken))).ConfigureAwait(false);

        var shrunk = await RemoveSiteCoreAsync(state with { Model = model }, site.Name, cancellationToken).ConfigureAwait(false);
        _store.Save(shrunk);
        return shrunk;
    }

    private static bool CommandLineHas(int pid, string argument)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Contains(argument, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task<EnvironmentState> RemoveSiteCoreAsync(EnvironmentState state, string name, CancellationToken cancellationToken)
    {
        var model = state.Model;
        var site = model.Site(name);
        var tunnels = model.Overlay.Tunnels.Where(t => t.Joins(name)).ToList();
        var driver = DriverOf(model);
        var ending = TunnelEnds(state).Where(p => p.Site == name || p.Peer == name).ToList();
        await Task.WhenAll(ending.Select(p => HostProcesses.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);
        foreach (var tunnel in tunnels)
        {
            driver.DeleteTunnelKeys(Path.Combine(_store.DirectoryOf(model.Name), "overlay"), tunnel);
        }

        // A process left in the router (an unrecorded tunnel end) would keep its namespace alive after "netns del".
        var ns = LocalNames.Router(model.Name, name);
        if (Ip.Exists(ns))
        {
            var inside = ProcTable.InNamespace(NetNs.Identity(ns)).Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid))).Where(p => p.Ticks is not null);
            await Task.WhenAll(inside.Select(p => HostProcesses.StopAsync(p.Pid, p.Ticks!.Value, s_grace, cancellationToken))).ConfigureAwait(false);
            await Ip.BatchAsync(null, [$"netns del {ns}"], cancellationToken).ConfigureAwait(false);
        }

        var fabric = LocalNames.Fabric(model.Name);
        await Ip.ForceBatchAsync(fabric, [$"link del {LocalNames.SiteBridge(site)}"], cancellationToken).ConfigureAwait(false);
        foreach (var other in model.Sites.Where(s => s.Name != name && Ip.Exists(LocalNames.Router(model.Name, s.Name))))
        {
            var commands = new List<string> { $"neigh del {site.RouterWan} dev {LocalNames.RouterWan}" };
            if (tunnels.FirstOrDefault(t => t.Joins(other.Name)) is { } peering && IsSiteScoped(model))
            {
                // The other site's interface carries its other peers too: only this peer and its route go.
                await RemovePeerAsync(model, name, other, peering, cancellationToken).ConfigureAwait(false);
            }
            else if (tunnels.FirstOrDefault(t => t.Joins(other.Name)) is { } tunnel)
            {
                commands.AddRange(driver.PlanNetwork(EndOf(model, tunnel, other.Name)).Devices.Select(d => $"link del {d.Name}"));
            }

            // A neighbour or device already gone is no reason to stop the clean-up.
            await Ip.ForceBatchAsync(LocalNames.Router(model.Name, other.Name), commands, cancellationToken).ConfigureAwait(false);
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
            throw new TimeoutException($"the tunnel from site {site.Name} to {missing.Target.To} did not come up within {timeout.TotalSeconds:0} s; see the {DriverOf(model).DisplayName} logs in {_store.DirectoryOf(model.Name)}/logs");
        }
    }
}
