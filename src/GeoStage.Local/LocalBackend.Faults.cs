using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Numerics;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    /// <summary>
    /// An OpenVPN log growing faster than this floods: a working one writes a few lines per session (about
    /// 2 KiB at a start), one spinning on a dead file descriptor several MiB per second.
    /// </summary>
    public const double FloodBytesPerSecond = 256 * 1024;

    /// <summary>What a device is, which says how it is recreated.</summary>
    internal enum DeviceRole
    {
        Bridge,
        RouterWan,
        RouterLan,
        Tunnel,
        NodeLeg,
    }

    /// <summary>
    /// A device as built, with the IPv4 routes it carries: connected routes exist only while the device is
    /// up and addressed, so their presence checks all three at once.
    /// </summary>
    internal sealed record ExpectedDevice(DeviceRole Role, string Namespace, string Device, IReadOnlyList<IPNetwork> Routes)
    {
        public SiteModel? Site { get; init; }

        public NodeModel? Node { get; init; }

        public TunnelModel? Tunnel { get; init; }
    }

    /// <summary>A namespace's devices and main-table IPv4 routes, as the kernel has them now.</summary>
    internal sealed record NetworkTables(IReadOnlySet<string> Devices, IReadOnlySet<(string Device, IPNetwork Destination)> Routes)
    {
        /// <summary>Devices set down (IFF_UP clear); empty where the flags were not read.</summary>
        public IReadOnlySet<string> Down { get; init; } = new HashSet<string>();
    }

    /// <summary>Every device GeoStage creates, in the order a repair must go: bridges, router legs, tunnels, nodes.</summary>
    internal static IEnumerable<ExpectedDevice> ExpectedDevices(EnvironmentModel model)
    {
        var fabric = LocalNames.Fabric(model.Name);
        yield return new(DeviceRole.Bridge, fabric, LocalNames.WanBridge, []);
        foreach (var site in model.Sites)
        {
            yield return new(DeviceRole.Bridge, fabric, LocalNames.SiteBridge(site), []) { Site = site };
        }

        foreach (var site in model.Sites)
        {
            var router = LocalNames.Router(model.Name, site.Name);
            yield return new(DeviceRole.RouterWan, router, LocalNames.RouterWan, [model.Wan]) { Site = site };
            yield return new(DeviceRole.RouterLan, router, LocalNames.RouterLan, [site.Cidr]) { Site = site };
            if (IsSiteScoped(model))
            {
                // One interface for all the site's tunnels, routed to every peer; no Tunnel: it is the site's.
                var routes = model.Overlay.Tunnels.Where(t => t.Joins(site.Name))
                    .SelectMany(t => DriverOf(model).PlanNetwork(EndOf(model, t, site.Name)).Routes).Select(r => r.Destination);
                yield return new(DeviceRole.Tunnel, router, SiteInterfaceOf(model, site.Name).Device, [.. routes]) { Site = site };
                continue;
            }

            foreach (var tunnel in model.Overlay.Tunnels.Where(t => t.Joins(site.Name)))
            {
                var plan = DriverOf(model).PlanNetwork(EndOf(model, tunnel, site.Name));
                foreach (var device in plan.Devices)
                {
                    IPNetwork[] routes = [.. plan.Routes.Where(r => r.Device == device.Name).Select(r => r.Destination)];
                    yield return new(DeviceRole.Tunnel, router, device.Name, routes) { Site = site, Tunnel = tunnel };
                }
            }
        }

        foreach (var node in model.Nodes)
        {
            var site = model.Site(node.Site);
            yield return new(DeviceRole.NodeLeg, LocalNames.Node(model.Name, node.Name), LocalNames.NodeInterface, [site.Cidr, new IPNetwork(IPAddress.Any, 0)]) { Site = site, Node = node };
        }
    }

    /// <summary>
    /// What is not as built in the namespaces that exist (a missing namespace is shown by status, not
    /// repaired here): devices gone, routes gone, and with <paramref name="logs"/> OpenVPN processes
    /// flooding their logs. Reads the kernel's tables in-process, one thread for all namespaces.
    /// </summary>
    public IReadOnlyList<Fault> FindFaults(EnvironmentState state, LogGrowth? logs = null)
    {
        var expected = ExpectedDevices(state.Model).ToList();
        var namespaces = expected.Select(e => e.Namespace).Distinct().Where(Ip.Exists).ToList();
        var tables = NetNs.RunEach(namespaces, _ => ReadTables(withFlags: true));
        var held = OverlayHeldDown(state.Name);
        var byNamespace = namespaces.Zip(tables).Where(p => p.Second is not null).ToDictionary(p => p.First, p => p.Second!);
        var faults = new List<Fault>();
        foreach (var device in expected)
        {
            if (!byNamespace.TryGetValue(device.Namespace, out var table))
            {
                continue;
            }

            // While reach --without-overlay holds the overlay down, the tunnels' routes are out on purpose.
            var unrouted = device.Routes.Where(r => !table.Routes.Contains((device.Device, r)) && !(held && device.Role == DeviceRole.Tunnel)).ToList();
            if (!table.Devices.Contains(device.Device))
            {
                faults.Add(FaultOf(device, FaultKind.Missing, "missing"));
            }
            else if (table.Down.Contains(device.Device) && device.Role is DeviceRole.NodeLeg or DeviceRole.RouterWan or DeviceRole.RouterLan)
            {
                // A leg set down is a link cut on purpose. A tun device is another matter: an OpenVPN that
                // recreated its own after a delete leaves it down, which the repair must fix (Unrouted below).
                faults.Add(FaultOf(device, FaultKind.Down, $"set down, not by GeoStage; left as is (ip -n {device.Namespace} link set {device.Device} up brings it back)"));
            }
            else if (unrouted.Count > 0 && !(device.Role == DeviceRole.Tunnel && faults.Any(f => f.Namespace == device.Namespace && f.Device == LocalNames.RouterLan)))
            {
                // A tunnel's route leaves from the LAN address: a LAN leg's repair restores it, no fault of its own.
                faults.Add(FaultOf(device, FaultKind.Unrouted, $"no route to {string.Join(", ", unrouted.Select(r => r.PrefixLength == 0 ? "default" : r.ToString()))}"));
            }
        }

        if (logs is not null)
        {
            faults.AddRange(Floods(state, logs, faults));
        }

        return faults;
    }

    private static IEnumerable<Fault> Floods(EnvironmentState state, LogGrowth logs, IReadOnlyList<Fault> faults)
    {
        // Every log is measured on every check, so that a rate always spans one check's interval.
        var overlay = DriverOf(state.Model).DisplayName;
        var rates = TunnelEnds(state).Where(p => p.Interface is not null)
            .Select(p => (Record: p, Rate: logs.RateOf(p.LogFile, p.Pid)))
            .ToList();
        foreach (var (record, rate) in rates.Where(r => r.Rate > FloodBytesPerSecond))
        {
            if (!faults.Any(f => f.Namespace == record.Namespace && f.Device == record.Interface && f.Kind == FaultKind.Missing))
            {
                yield return new Fault(FaultKind.Flooding, record.Namespace, record.Interface!, $"{overlay} {record.Site}->{record.Peer} writes {rate / (1 << 20):0.0} MiB/s to its log{LastLine(record.LogFile)}")
                {
                    Site = record.Site,
                };
            }
        }
    }

    private static Fault FaultOf(ExpectedDevice device, FaultKind kind, string problem) =>
        new(kind, device.Namespace, device.Device, problem)
        {
            Site = device.Role is DeviceRole.RouterWan or DeviceRole.RouterLan or DeviceRole.Tunnel ? device.Site?.Name : null,
            Node = device.Node?.Name,
        };

    /// <summary>Reads /proc of the calling thread's network namespace (thread-self: the process's own namespace is another).</summary>
    internal static NetworkTables ReadTables(bool withFlags = false)
    {
        var devices = File.ReadLines("/proc/thread-self/net/dev").Skip(2)
            .Select(line => line.Split(':', 2)[0].Trim())
            .ToHashSet(StringComparer.Ordinal);
        var routes = new HashSet<(string, IPNetwork)>();
        foreach (var line in File.ReadLines("/proc/thread-self/net/route").Skip(1))
        {
            var fields = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 7)
            {
                var mask = KernelAddress(fields[7]);
                routes.Add((fields[0], new IPNetwork(new IPAddress(KernelAddress(fields[1])), BitOperations.PopCount(BinaryPrimitives.ReadUInt32BigEndian(mask)))));
            }
        }

        if (!withFlags)
        {
            return new NetworkTables(devices, routes);
        }

        // The socket belongs to the calling thread's namespace: it answers for that namespace's devices.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        var down = devices.Where(d => d != "lo" && d.Length < 16 && !IsUpOrGone(socket, d)).ToHashSet(StringComparer.Ordinal);
        return new NetworkTables(devices, routes) { Down = down };
    }

    private static bool IsUpOrGone(System.Net.Sockets.Socket socket, string device)
    {
        try
        {
            return Interop.Libc.IsUp(socket, device);
        }
        catch (IOException)
        {
            // Deleted between reading the list and asking for its flags: the next check sees it missing.
            return true;
        }
    }

    /// <summary>An address as /proc/net/route prints it: the network-order bytes read as a host-order hex number.</summary>
    private static byte[] KernelAddress(string hex)
    {
        var value = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var bytes = new byte[4];
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        }

        return bytes;
    }

    /// <summary>The log's last line (what it floods with), read from its end only.</summary>
    private static string LastLine(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var tail = new byte[Math.Min(512, stream.Length)];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            var lines = System.Text.Encoding.UTF8.GetString(tail).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length > 1 ? $": \"{lines[^1]}\"" : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
