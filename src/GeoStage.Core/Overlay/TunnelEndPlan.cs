using System.Net;

namespace GeoStage.Core.Overlay;

/// <summary>
/// The plan for one end of a tunnel, executed on its router in this order: devices created and set up,
/// addresses added, files written (0600), the process started; routes go in when the executor opens the
/// overlay (the local backend adds them after measuring the sites in isolation). A site's plan
/// (<see cref="OverlayScope.Site"/>) is the same record; its device may be made by its process (wireguard-go),
/// so there the process starts first and the device is set up and configured (<see cref="WireGuard"/>) after.
/// </summary>
public sealed record TunnelEndPlan
{
    public required IReadOnlyList<PlannedDevice> Devices { get; init; }

    public IReadOnlyList<PlannedAddress> Addresses { get; init; } = [];

    public required IReadOnlyList<PlannedRoute> Routes { get; init; }

    /// <summary>Files to write before the process starts, each 0600: they may hold or name secrets.</summary>
    public IReadOnlyList<PlannedFile> Files { get; init; } = [];

    /// <summary>
    /// The process that carries the tunnel, if the driver needs one (OpenVPN does). While an end has a
    /// process it is alive as long as that process is: the executor restarts it with the same command.
    /// An end without one (a kernel WireGuard device) is alive while its device is.
    /// </summary>
    public PlannedProcess? Process { get; init; }

    /// <summary>The WireGuard interface's own configuration (key, port, peers), applied after it exists and again whenever its process restarts.</summary>
    public PlannedWireGuard? WireGuard { get; init; }
}

/// <summary>The kinds of device a plan may ask for; each executor knows how to create every kind.</summary>
public enum PlannedDeviceKind
{
    /// <summary>A persistent tun device, created before its process so that routes through it outlive that process.</summary>
    Tun,

    /// <summary>
    /// A WireGuard interface: made by the plan's process (wireguard-go) when it has one, else by the
    /// router's kernel; either way it exists only while that process runs and starts blank.
    /// </summary>
    WireGuard,
}

public sealed record PlannedDevice(string Name, PlannedDeviceKind Kind);

public sealed record PlannedAddress(string Device, IPAddress Address, int PrefixLength);

/// <summary>A route to <see cref="Destination"/> through <see cref="Device"/>; packets the router itself sends leave from <see cref="Source"/>.</summary>
public sealed record PlannedRoute(IPNetwork Destination, string Device, IPAddress? Source);

public sealed record PlannedFile(string Path, string Content);

/// <summary>A process to run on the router: <see cref="Command"/>[0] is one of the driver's required tools; output appends to <see cref="LogFile"/>.</summary>
public sealed record PlannedProcess(IReadOnlyList<string> Command, string LogFile);

/// <summary>
/// A WireGuard interface's configuration: its private key file (0600, written with the site's keys), the
/// UDP port it listens on, and its peers.
/// </summary>
public sealed record PlannedWireGuard(string Device, string PrivateKeyFile, int ListenPort, IReadOnlyList<PlannedPeer> Peers);

/// <summary>
/// One peer of a WireGuard interface: the site it is, pinned by public key, reached at <see cref="Endpoint"/>,
/// and the only sources accepted from it and destinations sent to it (<see cref="AllowedIps"/>: its site's CIDR).
/// </summary>
public sealed record PlannedPeer(string Site, string PublicKey, IPEndPoint Endpoint, IPNetwork AllowedIps, int KeepaliveSeconds);
