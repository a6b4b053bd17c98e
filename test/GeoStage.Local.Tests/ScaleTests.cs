using GeoStage.Core.Backends;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

public sealed class ScaleTests
{
    /// <summary>
    /// 100 nodes need more neighbour entries than the kernel's shared ARP table resolves by default
    /// (gc_thresh3 = 1024 across all namespaces); with dynamic ARP whole pairs were silently lost.
    /// </summary>
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_TenSitesOfTen_EveryPairReachableAndIsolatedBefore()
    {
        await using var env = Env.Create(Topologies.Grid(TempState.UniqueName("gr"), sites: 10, perSite: 10));

        var result = await env.UpAsync();
        var again = await env.Backend.MeasureAsync(env.State, new MeasureOptions { Count = 1 }, CancellationToken.None);

        Assert.Equal(9900, result.After.ReachableCount);
        Assert.NotNull(result.Before);
        Assert.All(result.Before.Pairs, p => Assert.Equal(p.FromSite == p.ToSite, p.Reachable));
        Assert.Equal(9900, again.ReachableCount);

        // Isolation asks a pair across sites once: they never answer, and asking them again and again
        // (every 100 ms for a second, before) was most of the isolation matrix's work at scale.
        Assert.All(result.Before.Pairs.Where(p => p.FromSite != p.ToSite), p => Assert.Equal(1, p.Sent));
    }

    /// <summary>
    /// 200 nodes in 50-node LANs (39,800 pairs): every ordered pair checked through the overlay, and the
    /// isolation matrix asks each pair across sites once; it asked each ten times (every 100 ms for a second).
    /// </summary>
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task UpAsync_FourSitesOfFifty_EveryPairCheckedAndCrossSitePairsAskedOnceBefore()
    {
        await using var env = Env.Create(Topologies.Grid(TempState.UniqueName("gs"), sites: 4, perSite: 50));

        var result = await env.UpAsync();

        Assert.Equal(39_800, result.After.Total);
        Assert.Equal(39_800, result.After.ReachableCount);
        Assert.NotNull(result.Before);
        Assert.All(result.Before.Pairs, p => Assert.Equal(p.FromSite == p.ToSite, p.Reachable));
        Assert.All(result.Before.Pairs.Where(p => p.FromSite != p.ToSite), p => Assert.Equal(1, p.Sent));
    }
}
