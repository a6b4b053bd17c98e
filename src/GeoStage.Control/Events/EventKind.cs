namespace GeoStage.Control.Events;

/// <summary>What an event is about; the daemon's log groups events by it.</summary>
public enum EventCategory
{
    Daemon,
    Workload,
    Instance,
    Rollout,
    Topology,
    Device,
    Balancer,
}

/// <summary>
/// One kind of event the daemon records. The names are what users read in 'geostage events', filter on
/// and find in docs/cli.md, so they never change once shipped; <see cref="All"/> is the whole catalogue,
/// and a test holds docs/cli.md's list of kinds to it.
/// </summary>
public sealed record EventKind
{
    private EventKind(string name, EventCategory category, string description)
    {
        Name = name;
        Category = category;
        Description = description;
    }

    public string Name { get; }

    public EventCategory Category { get; }

    /// <summary>One line: when the daemon records it.</summary>
    public string Description { get; }

    public static EventKind DaemonStarted { get; } = new("daemon-started", EventCategory.Daemon, "the daemon started and adopted what runs");
    public static EventKind LogRotated { get; } = new("log-rotated", EventCategory.Daemon, "an instance's, tunnel's or the daemon's log outgrew its bound and was rotated");

    public static EventKind WorkloadCreated { get; } = new("workload-created", EventCategory.Workload, "a workload was applied for the first time");
    public static EventKind WorkloadUpdated { get; } = new("workload-updated", EventCategory.Workload, "a workload's spec changed in a way that replaces its instances");
    public static EventKind WorkloadReconfigured { get; } = new("workload-reconfigured", EventCategory.Workload, "a workload's placement, ports, health or rollout changed without a restart");
    public static EventKind WorkloadScaled { get; } = new("workload-scaled", EventCategory.Workload, "a workload's placement was changed by scale");
    public static EventKind WorkloadRestarting { get; } = new("workload-restarting", EventCategory.Workload, "a rolling restart of a workload began");
    public static EventKind WorkloadStopped { get; } = new("workload-stopped", EventCategory.Workload, "a workload was stopped");

    public static EventKind InstanceStarted { get; } = new("instance-started", EventCategory.Instance, "an instance's process started");
    public static EventKind InstanceHealthy { get; } = new("instance-healthy", EventCategory.Instance, "an instance passed its health check");
    public static EventKind InstanceUnhealthy { get; } = new("instance-unhealthy", EventCategory.Instance, "an instance failed its health check or crashed during a rollout");
    public static EventKind InstanceCrashed { get; } = new("instance-crashed", EventCategory.Instance, "an instance exited and is restarted after a backoff");
    public static EventKind InstanceFailed { get; } = new("instance-failed", EventCategory.Instance, "an instance could not be started");
    public static EventKind InstanceReplacing { get; } = new("instance-replacing", EventCategory.Instance, "an instance is being replaced by a new version");
    public static EventKind InstanceRestarted { get; } = new("instance-restarted", EventCategory.Instance, "an instance was restarted on request");
    public static EventKind InstanceStopped { get; } = new("instance-stopped", EventCategory.Instance, "an instance was stopped");
    public static EventKind InstanceDraining { get; } = new("instance-draining", EventCategory.Instance, "an instance left the balancers' rotation and stops after a delay");
    public static EventKind InstanceLost { get; } = new("instance-lost", EventCategory.Instance, "an instance was not running when the daemon started");
    public static EventKind InstanceDuplicate { get; } = new("instance-duplicate", EventCategory.Instance, "a second process of one instance was found when adopting and ended");
    public static EventKind InstanceOrphan { get; } = new("instance-orphan", EventCategory.Instance, "a process with no record was found when adopting and ended");

    public static EventKind RolloutFailed { get; } = new("rollout-failed", EventCategory.Rollout, "a rollout failed and rolls back");
    public static EventKind Ready { get; } = new("ready", EventCategory.Rollout, "every instance of a workload's version is healthy");
    public static EventKind RolledBack { get; } = new("rolled-back", EventCategory.Rollout, "a rollback finished: the previous version is healthy everywhere");

    public static EventKind NodeAdded { get; } = new("node-added", EventCategory.Topology, "a node was added");
    public static EventKind NodeRemoved { get; } = new("node-removed", EventCategory.Topology, "a node was removed");
    public static EventKind SiteAdded { get; } = new("site-added", EventCategory.Topology, "a site was added with its tunnels");
    public static EventKind SiteRemoved { get; } = new("site-removed", EventCategory.Topology, "a site was removed with its tunnels");
    public static EventKind NodeAddUndone { get; } = new("node-add-undone", EventCategory.Topology, "an interrupted node add could not be finished and was undone");
    public static EventKind SiteAddUndone { get; } = new("site-add-undone", EventCategory.Topology, "an interrupted site add was undone");
    public static EventKind OperationStuck { get; } = new("operation-stuck", EventCategory.Topology, "an interrupted topology change could be neither finished nor undone");

    public static EventKind TunnelRestarted { get; } = new("tunnel-restarted", EventCategory.Device, "a tunnel end whose process died was restarted");
    public static EventKind DeviceFault { get; } = new("device-fault", EventCategory.Device, "a device is missing or without its route, or a tunnel process floods its log");
    public static EventKind DeviceRepaired { get; } = new("device-repaired", EventCategory.Device, "a faulty device was recreated or its process restarted");
    public static EventKind DeviceRepairFailed { get; } = new("device-repair-failed", EventCategory.Device, "a repair failed; it is tried again with backoff");
    public static EventKind DeviceCheckFailed { get; } = new("device-check-failed", EventCategory.Device, "the kernel's tables could not be read");

    public static EventKind BalancerLeader { get; } = new("balancer-leader", EventCategory.Balancer, "a balancer replica became leader and serves the VIP");
    public static EventKind BalancerFollower { get; } = new("balancer-follower", EventCategory.Balancer, "a balancer replica stepped down");
    public static EventKind BalancerBackendAdded { get; } = new("balancer-backend-added", EventCategory.Balancer, "backends joined a balancer's rotation");
    public static EventKind BalancerBackendRemoved { get; } = new("balancer-backend-removed", EventCategory.Balancer, "backends left a balancer's rotation");
    public static EventKind BalancerFenced { get; } = new("balancer-fenced", EventCategory.Balancer, "a balancer's VIP was taken off other replicas' nodes");

    /// <summary>Every kind, in the order docs/cli.md lists them.</summary>
    public static IReadOnlyList<EventKind> All { get; } =
    [
        DaemonStarted, WorkloadCreated, WorkloadUpdated, WorkloadReconfigured, WorkloadScaled, WorkloadRestarting, WorkloadStopped,
        InstanceStarted, InstanceHealthy, InstanceUnhealthy, InstanceCrashed, InstanceFailed, InstanceReplacing, InstanceRestarted,
        InstanceStopped, InstanceDraining, InstanceLost, InstanceDuplicate, InstanceOrphan,
        RolloutFailed, Ready, RolledBack,
        NodeAdded, NodeRemoved, SiteAdded, SiteRemoved, NodeAddUndone, SiteAddUndone, OperationStuck,
        TunnelRestarted, LogRotated, DeviceFault, DeviceRepaired, DeviceRepairFailed, DeviceCheckFailed,
        BalancerLeader, BalancerFollower, BalancerBackendAdded, BalancerBackendRemoved, BalancerFenced,
    ];

    public override string ToString() => Name;
}
