using System.Net;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

public sealed class VipTests
{
    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task TakeAsync_MovedBetweenNodes_RouterFollowsAndOnlyTheNewHolderHasIt()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("vp")));
        await env.UpAsync(measureBefore: false);
        var vip = IPAddress.Parse("10.91.0.200");
        var e1 = LocalNames.Node(env.Model.Name, "e1");
        var e2 = LocalNames.Node(env.Model.Name, "e2");
        var router = LocalNames.Router(env.Model.Name, "east");

        await Vip.TakeAsync(e1, vip, LocalNames.NodeInterface, CancellationToken.None);
        await Vip.AnnounceAsync(e1, vip, LocalNames.NodeInterface, 2, TimeSpan.FromMilliseconds(20), CancellationToken.None);
        var first = RootSnapshot.Run("ip", "netns", "exec", LocalNames.Node(env.Model.Name, "w1"), "ping", "-c", "1", "-W", "2", vip.ToString());
        var before = NeighbourMac(router, vip);
        await Vip.ReleaseAsync(e1, vip, LocalNames.NodeInterface, CancellationToken.None);
        await Vip.ReleaseAsync(e1, vip, LocalNames.NodeInterface, CancellationToken.None); // already gone: harmless
        await Vip.TakeAsync(e2, vip, LocalNames.NodeInterface, CancellationToken.None);
        await Wait.UntilAsync(() => NeighbourMac(router, vip) == MacOf(e2), TimeSpan.FromSeconds(5), "the router to learn the VIP's new MAC");

        Assert.Contains("1 received", first, StringComparison.Ordinal);
        Assert.Equal(MacOf(e1), before);
        Assert.False(Vip.Held(e1, vip));
        Assert.True(Vip.Held(e2, vip));
        Assert.Contains("1 received", RootSnapshot.Run("ip", "netns", "exec", LocalNames.Node(env.Model.Name, "w1"), "ping", "-c", "1", "-W", "2", vip.ToString()), StringComparison.Ordinal);
    }

    [RootFact("arping")]
    public async Task WarmUpAsync_InANamespace_RunsTheToolsAndChangesNoAddress()
    {
        var ns = TempState.UniqueName("gs-warm");
        RootSnapshot.Run("ip", "netns", "add", ns);
        try
        {
            RootSnapshot.Run("ip", "-n", ns, "link", "set", "lo", "up");
            var before = RootSnapshot.Run("ip", "-n", ns, "-o", "addr", "show");

            await Vip.WarmUpAsync(ns, "lo", CancellationToken.None);

            Assert.Equal(before, RootSnapshot.Run("ip", "-n", ns, "-o", "addr", "show"));

            // It runs the real tools: a device that is not there is an error naming the command, not a silent no-op.
            var missing = await Assert.ThrowsAsync<Core.Processes.ToolException>(() => Vip.WarmUpAsync(ns, "nosuch0", CancellationToken.None));
            Assert.Contains("nosuch0", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            RootSnapshot.Run("ip", "netns", "delete", ns);
        }
    }

    private static string? NeighbourMac(string ns, IPAddress address)
    {
        var line = RootSnapshot.Run("ip", "-n", ns, "neigh", "show", address.ToString());
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(parts, "lladdr");
        return at >= 0 ? parts[at + 1] : null;
    }

    private static string MacOf(string ns) =>
        RootSnapshot.Run("ip", "-n", ns, "-br", "link", "show", LocalNames.NodeInterface).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
}
