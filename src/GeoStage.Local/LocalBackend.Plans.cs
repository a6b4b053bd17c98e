using System.Globalization;
using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Overlay;

namespace GeoStage.Local;

/// <summary>The local backend as the executor of overlay plans: inside router namespaces, with the batched ip it uses for everything else.</summary>
public sealed partial class LocalBackend
{
    /// <summary>The overlay driver of <paramref name="model"/>: its plans, its keys, the role its processes are recorded under.</summary>
    internal static IOverlayDriver DriverOf(EnvironmentModel model) => OverlayDrivers.For(model.Overlay.Backend);

    /// <summary><paramref name="site"/>'s end of <paramref name="tunnel"/>, its device named as the router knows it.</summary>
    internal static TunnelEnd EndOf(EnvironmentModel model, TunnelModel tunnel, string site) =>
        new(model, tunnel, site, IsSiteScoped(model) ? SiteInterfaceOf(model, site).Device : LocalNames.Tunnel(tunnel, site));

    /// <summary>The commands that create an end's devices and addresses inside its router; no routes (see <see cref="TunnelRoutes"/>).</summary>
    internal static List<string> TunnelDevices(EnvironmentModel model, SiteModel site, TunnelModel tunnel)
    {
        var plan = DriverOf(model).PlanNetwork(EndOf(model, tunnel, site.Name));
        var commands = new List<string>();
        foreach (var device in plan.Devices)
        {
            commands.AddRange(device.Kind switch
            {
                PlannedDeviceKind.Tun => [$"tuntap add dev {device.Name} mode tun", $"link set {device.Name} up"],

                // Made with the site's interface, by its process or the kernel (StartSiteInterfacesAsync), not with the links.
                PlannedDeviceKind.WireGuard => [],
                _ => throw new InvalidOperationException($"the local backend cannot create a {device.Kind} device ({device.Name})"),
            });
        }

        commands.AddRange(plan.Addresses.Select(a => $"addr replace {a.Address}/{a.PrefixLength.ToString(CultureInfo.InvariantCulture)} dev {a.Device}"));
        return commands;
    }

    /// <summary>An end's routes to the peer site, as <c>ip route <paramref name="verb"/></c> commands (add, del, replace).</summary>
    internal static IEnumerable<string> TunnelRoutes(EnvironmentModel model, SiteModel site, TunnelModel tunnel, string verb) =>
        DriverOf(model).PlanNetwork(EndOf(model, tunnel, site.Name)).Routes
            .Select(r => $"route {verb} {r.Destination} dev {r.Device}{(r.Source is null ? "" : $" src {r.Source}")}");

    /// <summary>The program to run for <paramref name="tool"/>: a path given for it (constructor, GEOSTAGE_&lt;TOOL&gt;), else the name itself.</summary>
    private string ProgramOf(string tool) =>
        _programs.TryGetValue(tool, out var path) ? path
            : Environment.GetEnvironmentVariable("GEOSTAGE_" + tool.ToUpperInvariant()) ?? tool;

    /// <summary>The Debian package that has an overlay driver's tool: its own name, but for WireGuard's wg.</summary>
    private static string PackageOf(string tool) => tool == "wg" ? "wireguard-tools" : tool;

    /// <summary>Writes an end's files (0600: they name its keys) and resolves its process's program; null when it has none.</summary>
    private IReadOnlyList<string>? Prepare(TunnelEndPlan plan)
    {
        foreach (var file in plan.Files)
        {
            PrivateFile.Write(file.Path, file.Content);
        }

        return plan.Process is { } run ? [ProgramOf(run.Command[0]), .. run.Command.Skip(1)] : null;
    }

    /// <summary>True while a tunnel end's recorded process runs: what "alive" means for an end that has one.</summary>
    private static bool IsEndAlive(ProcessRecord record) => ProcTable.IsAlive(record.Pid, record.StartTicks);

    /// <summary>The recorded processes of <paramref name="state"/>'s tunnel ends.</summary>
    private static IEnumerable<ProcessRecord> TunnelEnds(EnvironmentState state)
    {
        var role = DriverOf(state.Model).Name;
        return state.Processes.Where(p => p.Role == role);
    }
}
