namespace GeoStage.Balancer.Forwarding;

/// <summary>Proxy-wide counters the forwarders add to. Concurrency: Interlocked throughout.</summary>
internal sealed class ProxyCounters
{
    private long _spliced;

    /// <summary>Bytes moved socket to socket by splice(2), never copied into the process.</summary>
    public long Spliced => Interlocked.Read(ref _spliced);

    public void AddSpliced(long bytes) => Interlocked.Add(ref _spliced, bytes);
}
