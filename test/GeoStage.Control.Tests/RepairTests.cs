using GeoStage.Core.Processes;
using System.Diagnostics;
using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using GeoStage.Core.Backends;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GeoStage.Control.Tests;

/// <summary>Devices of a running seed environment deleted under the daemon: each is reported, then recreated, and the overlay is whole again.</summary>
public sealed class RepairTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_repair = TimeSpan.FromSeconds(30);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_TunDeletedWhileDaemonDown_StatusShowsItThenDaemonRecreatesItWithRoute()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("rt")));
        var router = LocalNames.Router(env.Name, "a");
        env.KillDaemon();

        Delete(router, "tun-b");
        var status = await env.Backend.ReadAsync(env.Store.Load(env.Name)!, CancellationToken.None);
        await env.StartDaemonAsync();
        var repaired = await env.WaitEventAsync("device-repaired", "tun-b", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);

        Assert.Contains(status.Faults, f => f.Namespace == router && f.Device == "tun-b" && f.Kind == FaultKind.Missing);
        Assert.Contains(await env.EventsAsync(), e => e.Kind == "device-fault" && e.Message.StartsWith("tun-b of router a: missing", StringComparison.Ordinal));
        Assert.Contains("restarted OpenVPN a->b", repaired.Message, StringComparison.Ordinal);
        Assert.Contains("192.168.20.0/24 dev tun-b", RootSnapshot.Run("ip", "-n", router, "route", "show"), StringComparison.Ordinal);
        Assert.Equal(56, reach.ReachableCount);
        Assert.Empty((await env.Backend.ReadAsync(env.Store.Load(env.Name)!, CancellationToken.None)).Faults);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_TunDeletedUnderRunningDaemon_ReportedRepairedAndOverlayWhole()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("ru")));

        var clock = Stopwatch.StartNew();
        var deleted = DateTimeOffset.UtcNow;
        Delete(LocalNames.Router(env.Name, "a"), "tun-b");
        var fault = await env.WaitEventAsync("device-fault", "tun-b", s_repair);
        var repaired = await env.WaitEventAsync("device-repaired", "tun-b", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);
        output.WriteLine($"tun-b: seen {(fault.At - deleted).TotalMilliseconds:0} ms after the delete; {repaired.Message}; 56/56 again {clock.ElapsedMilliseconds} ms after the delete");

        Assert.Equal(56, reach.ReachableCount);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_WanLegDeleted_RecreatedAndTunnelsRestartedWithoutRestartLoop()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("rw")));
        var router = LocalNames.Router(env.Name, "b");

        var clock = Stopwatch.StartNew();
        Delete(router, "wan0");
        var repaired = await env.WaitEventAsync("device-repaired", "wan0 of router b", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);
        output.WriteLine($"wan0: {repaired.Message}; 56/56 again {clock.ElapsedMilliseconds} ms after the delete");
        var openvpn = env.Store.Load(env.Name)!.Processes.Where(p => p.Role == "openvpn").ToList();

        Assert.Equal(56, reach.ReachableCount);
        Assert.Contains("restarted OpenVPN b->a", repaired.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await env.EventsAsync(), e => e.Kind == "tunnel-restarted");
        Assert.All(openvpn, p => Assert.True(ProcTable.IsAlive(p.Pid, p.StartTicks), $"OpenVPN {p.Site}->{p.Peer} pid {p.Pid} is not running"));
        Assert.Contains("10.4.0.91/16", RootSnapshot.Run("ip", "-n", router, "-o", "addr", "show", "dev", "wan0"), StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_NodeLegDeleted_ReportedAndRecreatedWithAddressRouteAndNeighbours()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("rn")));
        var node = LocalNames.Node(env.Name, "node03");

        var clock = Stopwatch.StartNew();
        var deleted = DateTimeOffset.UtcNow;
        Delete(node, "eth0");
        var fault = await env.WaitEventAsync("device-fault", "eth0 of node node03", s_repair);
        var repaired = await env.WaitEventAsync("device-repaired", "eth0 of node node03", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);
        output.WriteLine($"eth0: seen {(fault.At - deleted).TotalMilliseconds:0} ms after the delete; {repaired.Message}; 56/56 again {clock.ElapsedMilliseconds} ms after the delete");

        Assert.Equal("node03", fault.Node);
        Assert.Equal(56, reach.ReachableCount);
        Assert.Contains("default via 192.168.30.1 dev eth0", RootSnapshot.Run("ip", "-n", node, "route", "show"), StringComparison.Ordinal);
        Assert.Contains("192.168.30.102 dev eth0 lladdr 02:4e:00:00:00:07 PERMANENT", RootSnapshot.Run("ip", "-n", node, "neigh", "show"), StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_LanBridgeDeletedInFabric_RecreatedWithItsPorts()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("rb")));
        var fabric = LocalNames.Fabric(env.Name);

        var clock = Stopwatch.StartNew();
        Delete(fabric, "s0");
        var repaired = await env.WaitEventAsync("device-repaired", "s0 of the fabric", s_repair);
        var reach = await env.WaitFullReachAsync(s_repair);
        output.WriteLine($"s0: {repaired.Message}; 56/56 again {clock.ElapsedMilliseconds} ms after the delete");

        Assert.Equal(56, reach.ReachableCount);
        Assert.Contains("with its 5 ports", repaired.Message, StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_TunDeletedRepeatedly_OpenVpnLogStaysBoundedAndIsRotated()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("rl")));
        var router = LocalNames.Router(env.Name, "a");
        var log = env.Store.Load(env.Name)!.Processes.Single(p => p.Role == "openvpn" && p.Site == "a" && p.Peer == "b").LogFile;

        // Unbounded, the flood wrote 7 MiB/s; bounded, the log is rotated at 1 MiB and its writer replaced within a check.
        const long Bound = 8 * ControlLoop.ProcessLogLimit;
        using var sampling = new CancellationTokenSource();
        var largest = new Largest(log);
        var sampler = largest.SampleAsync(sampling.Token);
        for (var i = 1; i <= 4 && largest.Size <= Bound; i++)
        {
            Delete(router, "tun-b");
            async Task<bool> RepairedAsync() => (await env.EventsAsync()).Count(e => e.Kind == "device-repaired" && e.Message.StartsWith("tun-b", StringComparison.Ordinal)) >= i
                && RootSnapshot.Run("ip", "-n", router, "route", "show").Contains("dev tun-b", StringComparison.Ordinal);
            await Wait.UntilAsync(async () => largest.Size > Bound || await RepairedAsync(), s_repair, $"repair {i} of tun-b");
        }

        await sampling.CancelAsync();
        await sampler;
        output.WriteLine($"largest {log}: {largest.Size} bytes; rotations seen: {largest.Rotations}");

        Assert.InRange(largest.Size, 1, Bound);
        Assert.True(File.Exists(log + ".1"), "the flooded log was never rotated");
        Assert.All(Enumerable.Range(1, 3).Select(i => $"{log}.{i}").Where(File.Exists), f => Assert.InRange(new FileInfo(f).Length, 0, Bound));
        Assert.Equal(56, (await env.WaitFullReachAsync(s_repair)).ReachableCount);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Repair_OpenVpnFloodingItsLog_RestartedWithBackoffAndLogBounded()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rf")));
        env.KillDaemon();
        var state = env.Store.Load(env.Name)!;
        var victim = state.Processes.Single(p => p.Role == "openvpn" && p.Site == "east");

        // A stand-in that floods as OpenVPN did on its dead descriptor (7 MiB/s seen), for any reason the device
        // check cannot see: 132 KB per burst, one builtin printf, then a sleep, so at most about 4 MiB/s and
        // above the flood threshold (256 KiB/s) unless a burst takes half a second. An unpaced writer would
        // outrun any periodic rotation on a loaded machine, which no real OpenVPN does.
        await HostProcesses.StopAsync(victim.Pid, victim.StartTicks, TimeSpan.FromSeconds(3), CancellationToken.None);
        const string Flood = "line='read from TUN/TAP : File descriptor in bad state (fd=-1,code=77)'; "
            + "chunk=$(i=0; while [ $i -lt 2000 ]; do echo \"$line\"; i=$((i+1)); done); "
            + "while :; do printf '%s\\n' \"$chunk\"; sleep 0.03; done";
        var (process, flooding) = ProcessLauncher.Start("openvpn", victim.Namespace, ["/bin/sh", "-c", Flood], victim.LogFile);
        process.Dispose();
        env.Store.Save(state with { Processes = [.. state.Processes.Select(p => p == victim ? flooding with { Site = victim.Site, Peer = victim.Peer, Interface = victim.Interface } : p)] });
        const long Bound = 8 * ControlLoop.ProcessLogLimit;
        await env.StartDaemonAsync();

        // What flooded while no daemon ran is rotated at its first tick; the bound holds from there on.
        await Wait.UntilAsync(() => File.Exists(victim.LogFile + ".1"), s_repair, "the first rotation");
        using var sampling = new CancellationTokenSource();
        var largest = new Largest(victim.LogFile);
        var sampler = largest.SampleAsync(sampling.Token);
        async Task<List<EventRecord>> RestartsAsync() => [.. (await env.EventsAsync()).Where(e => e.Kind == "device-repaired" && e.Message.StartsWith("tun-west of router east: restarted", StringComparison.Ordinal))];
        await Wait.UntilAsync(async () => largest.Size > Bound || (await RestartsAsync()).Count >= 3, s_repair, "three restarts of the flooding process");
        await sampling.CancelAsync();
        await sampler;
        var restarts = await RestartsAsync();
        output.WriteLine($"largest {victim.LogFile}: {largest.Size} bytes; restarts at {string.Join(", ", restarts.Select(r => r.At.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)))}");

        Assert.InRange(largest.Size, 1, Bound);
        Assert.Contains(await env.EventsAsync(), e => e.Kind == "device-fault" && e.Message.Contains("MiB/s to its log: \"read from TUN/TAP", StringComparison.Ordinal));
        Assert.True(restarts[1].At - restarts[0].At >= TimeSpan.FromSeconds(0.5), "no backoff between the first two restarts");
        Assert.True(restarts[2].At - restarts[1].At >= TimeSpan.FromSeconds(1), "the backoff did not grow");
    }

    /// <summary>The largest size a file had while sampled, and how many of its rotations were seen.</summary>
    private sealed class Largest(string file)
    {
        private long _size;

        public long Size => Interlocked.Read(ref _size);

        public int Rotations { get; private set; }

        public async Task SampleAsync(CancellationToken cancellationToken)
        {
            var last = 0L;
            while (!cancellationToken.IsCancellationRequested)
            {
                var info = new FileInfo(file);
                var size = info.Exists ? info.Length : 0;
                Rotations += size < last ? 1 : 0;
                last = size;
                Interlocked.Exchange(ref _size, Math.Max(Size, size));
                try
                {
                    await Task.Delay(2, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static void Delete(string ns, string device) => RootSnapshot.Run("ip", "-n", ns, "link", "del", device);
}
