using GeoStage.Core.State;

namespace GeoStage.Core.Backends;

/// <summary>What is wrong with one device of an environment.</summary>
public enum FaultKind
{
    /// <summary>The device is gone.</summary>
    Missing,

    /// <summary>The device is there but a route it carries is not (down, address or route removed).</summary>
    Unrouted,

    /// <summary>The process using the device writes its log far faster than any working one does.</summary>
    Flooding,

    /// <summary>
    /// A router's or node's leg was set down by someone else (<c>ip link set eth0 down</c>): reported, not
    /// repaired. Setting a link down is how people cut one on purpose (a balancer's failover test does), so
    /// undoing it would defeat them. Tun devices and bridges found down are repaired (as unrouted): an
    /// OpenVPN that recreated its own tun device after a delete leaves it down.
    /// </summary>
    Down,
}

/// <summary>
/// A part of an environment's network that is not as it was built, seen now. <see cref="Site"/> is set for
/// a router's device, <see cref="Node"/> for a node's; neither for a bridge of the fabric.
/// </summary>
public sealed record Fault(FaultKind Kind, string Namespace, string Device, string Problem)
{
    public string? Site { get; init; }

    public string? Node { get; init; }

    /// <summary>Whether the daemon repairs this fault, or only reports it.</summary>
    public bool Repairable => Kind != FaultKind.Down;

    /// <summary>The same fault across checks: this kind of trouble with this device of this namespace.</summary>
    public string Key => $"{Namespace}/{Device}/{Kind}";

    /// <summary>Who the device belongs to, for people.</summary>
    public string Owner => Site is not null ? $"router {Site}" : Node is not null ? $"node {Node}" : "the fabric";

    public override string ToString() => $"{Device} of {Owner}: {Problem}";
}

/// <summary>One repair tried: what was done, or why it failed, and how long it took.</summary>
public sealed record RepairAction(Fault Fault, string? Done, string? Error, TimeSpan Took)
{
    public bool Succeeded => Error is null;
}

/// <summary>A check and the repairs it led to; <see cref="State"/> records the processes restarted.</summary>
public sealed record RepairResult(EnvironmentState State, IReadOnlyList<Fault> Found, IReadOnlyList<RepairAction> Actions);
