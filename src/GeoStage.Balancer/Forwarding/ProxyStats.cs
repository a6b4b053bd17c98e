namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// The proxy's own counters at the moment of <see cref="TcpProxy.SnapshotTotals"/>.
/// <see cref="Accepted"/> counts every client taken from the listener; <see cref="Rejected"/> those of them
/// closed at once because <see cref="TcpProxyOptions.MaxConnections"/> were open; <see cref="Unserved"/>
/// those closed because no backend could be connected; <see cref="Active"/> those open now.
/// <see cref="Spliced"/> counts the bytes, of all directions, moved by splice(2) without a copy into the process.
/// </summary>
public sealed record ProxyStats(long Accepted, long Rejected, long Unserved, long Active, long Spliced);
