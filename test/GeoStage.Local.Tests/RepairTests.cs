using GeoStage.Core.Processes;
using GeoStage.Core.Backends;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>Faults found in the kernel's tables of a real seed environment, and repaired by the backend alone.</summary>
public sealed class RepairTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task FindFaults_DevicesDeletedOrUnrouted_ReportsEachThenRepairAsyncRestoresAll56()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("rf")));
        await env.UpAsync(measureBefore: false);
        var (a, b, c) = (LocalNames.Router(env.Model.Name, "a"), LocalNames.Router(env.Model.Name, "b"), LocalNames.Router(env.Model.Name, "c"));
        var clean = env.Backend.FindFaults(env.State);

        RootSnapshot.Run("ip", "-n", a, "link", "del", "tun-b");
        RootSnapshot.Run("ip", "-n", b, "route", "del", "192.168.30.0/24", "dev", "tun-c");
        RootSnapshot.Run("ip", "-n", c, "link", "del", "lan0");
        RootSnapshot.Run("ip", "-n", LocalNames.Node(env.Model.Name, "node01"), "link", "del", "eth0");
        RootSnapshot.Run("ip", "-n", LocalNames.Fabric(env.Model.Name), "link", "del", "s0");
        var found = env.Backend.FindFaults(env.State);
        var result = await env.Backend.RepairAsync(env.State, found, CancellationToken.None);
        var reach = await env.Backend.MeasureAsync(result.State, new MeasureOptions(), CancellationToken.None);
        for (var i = 0; i < 20 && !reach.All; i++)
        {
            // The restarted OpenVPN handshakes again first; measured until it has, a bounded number of times.
            reach = await env.Backend.MeasureAsync(result.State, new MeasureOptions { Count = 1 }, CancellationToken.None);
        }

        Assert.Empty(clean);
        Assert.Equal(
            [$"{LocalNames.Fabric(env.Model.Name)}/s0/Missing", $"{a}/tun-b/Missing", $"{b}/tun-c/Unrouted", $"{c}/lan0/Missing", $"{LocalNames.Node(env.Model.Name, "node01")}/eth0/Missing"],
            found.Select(f => f.Key));
        Assert.Equal("node01", found.Single(f => f.Device == "eth0").Node);
        Assert.Equal("a", found.Single(f => f.Device == "tun-b").Site);
        Assert.All(result.Actions, action => Assert.True(action.Succeeded, action.Error));
        Assert.Empty(env.Backend.FindFaults(result.State));
        Assert.True(reach.All, $"{reach.ReachableCount}/{reach.Total} reachable after the repair");
        var restarted = result.State.Processes.Single(p => p.Site == "a" && p.Peer == "b");
        Assert.True(ProcTable.IsAlive(restarted.Pid, restarted.StartTicks));
        Assert.Equal(restarted.Pid, env.State.Processes.Single(p => p.Site == "a" && p.Peer == "b").Pid);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task FindFaults_DeviceSetDownByHand_ReportedAsDownNotAsARouteToRepair()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("rd")));
        await env.UpAsync(measureBefore: false);
        var node = LocalNames.Node(env.Model.Name, "node02");

        RootSnapshot.Run("ip", "-n", node, "link", "set", "eth0", "down");
        var found = env.Backend.FindFaults(env.State);

        var fault = Assert.Single(found);
        Assert.Equal(FaultKind.Down, fault.Kind);
        Assert.Equal("node02", fault.Node);
        Assert.False(fault.Repairable);
        Assert.Contains("set down, not by GeoStage", fault.Problem, StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task FindFaults_WhileReachHoldsTheOverlayDown_TunnelRoutesAreNoFault()
    {
        await using var env = Env.Create(Topologies.Seed(TempState.UniqueName("rh")));
        await env.UpAsync(measureBefore: false);
        IReadOnlyList<Fault>? during = null;
        var measuring = env.Backend.MeasureAsync(env.State, new MeasureOptions { Overlay = false }, CancellationToken.None);
        var router = LocalNames.Router(env.Model.Name, "a");
        await Wait.UntilAsync(() => measuring.IsCompleted || !RootSnapshot.Run("ip", "-n", router, "route", "show", "dev", "tun-b").Contains("192.168.20.0/24", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the tunnel routes to be taken out");
        if (!measuring.IsCompleted)
        {
            during = env.Backend.FindFaults(env.State);
        }

        var without = await measuring;

        Assert.NotNull(during);
        Assert.Empty(during);
        Assert.Equal(16, without.ReachableCount);
        Assert.Empty(env.Backend.FindFaults(env.State));
        Assert.Contains("192.168.20.0/24", RootSnapshot.Run("ip", "-n", router, "route", "show", "dev", "tun-b"), StringComparison.Ordinal);
    }

    [Fact]
    public void RateOf_FileGrowsThenRotatesThenNewWriter_MeasuresOnlyWhatTheWriterWrote()
    {
        using var temp = new TempState();
        var file = Path.Combine(temp.Root, "openvpn.log");
        var time = new ManualTimeProvider();
        var growth = new LogGrowth(time);
        File.WriteAllBytes(file, new byte[1000]);

        var first = growth.RateOf(file, writer: 1);
        File.AppendAllText(file, new string('x', 2000));
        time.Advance(TimeSpan.FromSeconds(2));
        var grown = growth.RateOf(file, writer: 1);
        File.WriteAllBytes(file, new byte[500]);
        time.Advance(TimeSpan.FromSeconds(1));
        var rotated = growth.RateOf(file, writer: 1);
        File.AppendAllText(file, new string('x', 5000));
        time.Advance(TimeSpan.FromSeconds(1));
        var replaced = growth.RateOf(file, writer: 2);

        Assert.Equal(0, first);
        Assert.Equal(1000, grown);
        Assert.Equal(500, rotated);
        Assert.Equal(0, replaced);
    }
}
