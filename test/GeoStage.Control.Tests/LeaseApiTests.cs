using GeoStage.Balancer.Election;
using GeoStage.Control.Client;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

public sealed class LeaseApiTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Electors_ThroughTheDaemon_OneLeadsThenHandsOverWithANewTerm()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("le")));
        using var clientA = env.Client();
        using var clientB = env.Client();
        var ttl = TimeSpan.FromSeconds(2);
        var a = new LeaderElector(new HttpLeaseClient(clientA), "lb-front", "e1", ttl, TimeProvider.System);
        var b = new LeaderElector(new HttpLeaseClient(clientB), "lb-front", "e2", ttl, TimeProvider.System);

        var leaderA = await a.WaitForLeadershipAsync(CancellationToken.None);
        using var stopB = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var followerB = b.WaitForLeadershipAsync(stopB.Token);
        var held = await clientA.GetAsync<LeaseGrant>("v1/leases/lb-front", CancellationToken.None);
        var renewedMeanwhile = await Task.WhenAny(followerB, Task.Delay(ttl * 1.5)) != followerB;
        await leaderA.DisposeAsync();
        var leaderB = await followerB;

        Assert.Equal("e1", held.Holder);
        Assert.True(renewedMeanwhile, "b took the lease while a was renewing it");
        Assert.Equal(leaderA.Term + 1, leaderB.Term);
        Assert.False(leaderB.Token.IsCancellationRequested);
        await leaderB.DisposeAsync();
    }
}
