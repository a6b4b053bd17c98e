using System.Net;
using System.Net.Sockets;
using GeoStage.Control.Api;
using GeoStage.Local;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>The balancer in front of the sample app: failover (leader SIGKILLed, its link cut, its node removed), hooks, backend changes.</summary>
public sealed class BalancerTests
{
    private static readonly IPAddress s_vip = IPAddress.Parse("10.91.0.200");

    private const string Front = """
        balancers:
          - name: front
            site: east
            vip: 10.91.0.200
            replicas: { nodes: [e1, e2] }
            listeners: [{ port: 80, backend: chain, backendPort: 7000 }]
            leaseTtl: 1s
        """;

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Failover_LeaderSigkilled_ServiceResumesAndNeverTwoVipHolders()
    {
        await using var env = await StartFrontedAsync("lb");
        using var client = env.Client();

        // A deploy that waits for the balancer to be ready returns with it serving: a leader is there.
        await env.WaitAsync("lb-front", w => w.Status == "ready", TimeSpan.FromSeconds(30), "lb-front ready");
        var ready = await client.GetAsync<List<BalancerView>>("v1/balancers", CancellationToken.None);
        Assert.Contains(ready.Single().Replicas, r => r.Leader);
        var first = await WaitLeaderAsync(client, term: 1);
        var leaderPid = (await env.InstancesAsync("lb-front")).Single(i => i.Node == first.Leader).Pid!.Value;

        var (watch, killed) = await FailAsync(env, () =>
        {
            using var leader = System.Diagnostics.Process.GetProcessById(leaderPid);
            leader.Kill();
            return Task.CompletedTask;
        });
        var second = await WaitLeaderAsync(client, term: 2);
        await watch.UntilAnsweredAfterAsync(killed, 5, "the client in site west to be served again after the kill");
        await watch.DisposeAsync();

        Assert.NotEqual(first.Leader, second.Leader);
        Assert.NotNull(second.LastFailoverMs);
        Assert.True(second.LastFailoverMs > 0);
        Assert.Equal("first leader of the balancer", first.Why);

        // The daemon fences the dead leader, unless (on a loaded machine) its lease lapsed first.
        Assert.Contains(second.Why, new[] { $"took over after {first.Leader}'s replica died (killed by signal 9); fenced", $"took over after the lease of {first.Leader} lapsed while it held the VIP; fenced" });
        AssertNoOverlap(watch);
        Assert.True(Holds(env, second.Leader!));
        Assert.False(Holds(env, first.Leader!));
    }

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Failover_LeadersLinkCut_StepsDownOnItsDeadDataPathAndTheOtherTakesOver()
    {
        await using var env = await StartFrontedAsync("lc");
        using var client = env.Client();
        var first = await WaitLeaderAsync(client, term: 1);

        // The leader can still reach the daemon (a Unix socket), so its lease alone would never lapse:
        // only the check of its own data path makes it let go.
        var (watch, cut) = await FailAsync(env, () =>
        {
            RootSnapshot.Run("ip", "-n", LocalNames.Node(env.Name, first.Leader!), "link", "set", LocalNames.NodeInterface, "down");
            return Task.CompletedTask;
        });
        var second = await WaitLeaderAsync(client, term: 2);
        await watch.UntilAnsweredAfterAsync(cut, 5, "the client in site west to be served again after the cut");
        await watch.DisposeAsync();

        // The old leader's report of stepping down and the new one's of leading may arrive in either order.
        var why = $"took over after {first.Leader} stepped down from term {first.Term}: its data path failed (the site's gateway stopped answering)";
        await Wait.UntilAsync(async () => (second = await WaitLeaderAsync(client, term: 2)).Why == why, TimeSpan.FromSeconds(10), $"lb status to say '{why}'");
        Assert.NotNull(second.LastFailoverMs);

        Assert.NotEqual(first.Leader, second.Leader);
        AssertNoOverlap(watch);
        Assert.False(Holds(env, first.Leader!));
    }

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Hooks_LeadersLinkCut_OldLeaderRunsOnFollowerAndTheNewOneOnLeaderWithALaterTerm()
    {
        using var temp = new TempState();
        var (hook, calls) = (Path.Combine(temp.Root, "hook.sh"), Path.Combine(temp.Root, "calls"));
        File.WriteAllText(hook, $"#!/bin/sh\necho \"$@\" >> {calls}\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] Calls() => File.Exists(calls) ? File.ReadAllLines(calls) : [];

        await using var env = await StartFrontedAsync("lh", Front + $"""

                onLeader: ["{hook}", "leader"]
                onFollower: ["{hook}", "follower"]
            """);
        using var client = env.Client();
        var first = await WaitLeaderAsync(client, term: 1);
        var firstLeader = $"leader {s_vip} {first.Leader} {first.Term}";
        await Wait.UntilAsync(() => Calls().Contains(firstLeader), TimeSpan.FromSeconds(20), $"'{firstLeader}' from the first leader's onLeader hook");

        RootSnapshot.Run("ip", "-n", LocalNames.Node(env.Name, first.Leader!), "link", "set", LocalNames.NodeInterface, "down");
        var second = await WaitLeaderAsync(client, term: first.Term + 1);
        var (oldFollower, newLeader) = ($"follower {s_vip} {first.Leader} {first.Term}", $"leader {s_vip} {second.Leader} {second.Term}");
        await Wait.UntilAsync(() => Calls().Contains(oldFollower) && Calls().Contains(newLeader), TimeSpan.FromSeconds(20), $"'{oldFollower}' and '{newLeader}' from the hooks");
        var logged = new List<string>();
        await Wait.UntilAsync(
            async () =>
            {
                logged = await client.LinesAsync("v1/logs?workload=lb-front&tail=1000", CancellationToken.None).ToListAsync();
                return logged.Count(l => l.Contains(": exited 0 after ", StringComparison.Ordinal)) >= 3;
            },
            TimeSpan.FromSeconds(20),
            "three hook lines in the balancer's log");

        Assert.NotEqual(first.Leader, second.Leader);
        Assert.True(second.Term > first.Term, $"new term {second.Term} is not later than {first.Term}");

        // The two nodes' hooks run concurrently: only the set of calls is certain, not their order.
        Assert.Equal(new[] { firstLeader, newLeader, oldFollower }.Order(), Calls().Order());
        Assert.Contains(logged, l => l.StartsWith($"[{first.Leader}] ", StringComparison.Ordinal) && l.Contains($"hook follower term {first.Term}: {hook} follower {s_vip} {first.Leader} {first.Term}: exited 0 after ", StringComparison.Ordinal));
        Assert.Contains(logged, l => l.StartsWith($"[{second.Leader}] ", StringComparison.Ordinal) && l.Contains($"hook leader term {second.Term}: {hook} leader {s_vip} {second.Leader} {second.Term}: exited 0 after ", StringComparison.Ordinal));
    }

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Backends_OneCrashes_LeavesTheRotationAndComesBackWithEvents()
    {
        await using var env = await StartFrontedAsync("lx");
        using var client = env.Client();
        var leader = await WaitLeaderAsync(client, term: 1);
        await Wait.UntilAsync(async () => (await BackendsAsync(client, leader.Leader!)).Count == 3, TimeSpan.FromSeconds(20), "three backends in the leader's rotation");
        var victim = $"{env.Model.Nodes.Single(n => n.Name == "w1").Address}:7000";

        var pid = (await env.InstancesAsync("chain")).Single(i => i.Node == "w1").Pid!.Value;
        var killedAt = DateTimeOffset.UtcNow;
        using (var backend = System.Diagnostics.Process.GetProcessById(pid))
        {
            backend.Kill();
        }

        Store.EventRecord? removed = null;
        await Wait.UntilAsync(async () => (removed = await BackendEventAsync(client, "balancer-backend-removed", victim)) is not null, TimeSpan.FromSeconds(20), $"{victim} to leave the rotation");
        Store.EventRecord? added = null;
        await Wait.UntilAsync(async () => (added = await BackendEventAsync(client, "balancer-backend-added", victim)) is not null, TimeSpan.FromSeconds(30), $"{victim} to rejoin once restarted");

        // How fast it leaves is a figure for bench/, not a test (wall time on a loaded machine); that it
        // leaves within one health interval is logic, tested on fake time in BalancerReplicaTests.
        Assert.True(removed!.At >= killedAt, $"{victim} left the rotation at {removed.At:O}, before the crash at {killedAt:O}");
        Assert.True(added!.At > removed.At);
        Assert.Equal(3, (await BackendsAsync(client, leader.Leader!)).Count);
        var events = await EventsAsync(client);
        Assert.Contains(events, e => e.Kind == "balancer-leader" && e.Node == leader.Leader && e.Message.Contains($"in term {leader.Term}", StringComparison.Ordinal));
    }

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Failover_LeadersNodeRemoved_TheOtherTakesOver()
    {
        await using var env = await StartFrontedAsync("lr");
        using var client = env.Client();
        var first = await WaitLeaderAsync(client, term: 1);

        var (watch, removed) = await FailAsync(env, () =>
            client.DeleteAsync<System.Text.Json.JsonElement>($"v1/nodes/{first.Leader}", CancellationToken.None));
        var second = await WaitLeaderAsync(client, term: 2);
        await watch.UntilAnsweredAfterAsync(removed, 5, "the client in site west to be served again after the removal");
        await watch.DisposeAsync();
        await Wait.UntilAsync(
            async () => (second = await WaitLeaderAsync(client, term: 2)).Why?.StartsWith($"took over after {first.Leader}", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(10),
            $"lb status to say the leader took over after {first.Leader}");

        Assert.NotEqual(first.Leader, second.Leader);
        AssertNoOverlap(watch);
        Assert.False(Ip.Exists(LocalNames.Node(env.Name, first.Leader!)));
    }

    [RootFact("openvpn", "nsenter", "setsid", "arping")]
    public async Task Backends_ScaledDownAndUpThenUpdatedUnderLoad_NoRequestFails()
    {
        await using var env = await StartFrontedAsync("lu");
        using var client = env.Client();
        await WaitLeaderAsync(client, term: 1);
        await Wait.UntilAsync(() => Get(env, "w1") is not null, TimeSpan.FromSeconds(20), "the VIP to serve");

        using var loading = new CancellationTokenSource();
        var (ok, failed) = (0, 0);
        var load = Task.Run(() =>
        {
            while (!loading.IsCancellationRequested)
            {
                if (Get(env, "w1") is null)
                {
                    failed++;
                }
                else
                {
                    ok++;
                }
            }
        });
        await client.PostAsync<WorkloadView>("v1/workloads/chain/scale", new ScaleRequest(false, null, null, ["e1"], null), CancellationToken.None);
        await env.WaitAsync("chain", w => w.Instances == 1 && w.Status == "ready", TimeSpan.FromSeconds(60), "one backend left");
        await client.PostAsync<WorkloadView>("v1/workloads/chain/scale", new ScaleRequest(true, null, null, null, null), CancellationToken.None);
        await env.WaitAsync("chain", w => w.Instances == 3 && w.Status == "ready", TimeSpan.FromSeconds(60), "three backends again");

        // A rolling update replaces every backend, one after another, each drained first.
        await env.ApplyAsync(Workloads.Chain(version: "2"));
        await env.WaitAsync("chain", w => w.Status == "ready" && w.Version == "2", TimeSpan.FromSeconds(90), "version 2 on every backend");
        await loading.CancelAsync();
        await load;

        Assert.True(ok > 20, $"only {ok} requests went through");
        Assert.Equal(0, failed);
    }

    /// <summary>Two sites, the sample app on every node, then <paramref name="balancers"/> (<see cref="Front"/> unless given).</summary>
    private static async Task<DaemonEnv> StartFrontedAsync(string prefix, string balancers = Front)
    {
        var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName(prefix)));
        try
        {
            await env.ApplyAsync(Workloads.Chain());
            await env.WaitAsync("chain", w => w.Status == "ready", TimeSpan.FromSeconds(60), "chain ready");
            await env.ApplyAsync(balancers);
            return env;
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
    }

    private static async Task<IReadOnlyList<string>> BackendsAsync(Client.ControlClient client, string node) =>
        [.. (await client.GetAsync<List<BalancerView>>("v1/balancers", CancellationToken.None))
            .Single().Replicas.Where(r => r.Node == node && r.Leader).SelectMany(r => r.Backends).Select(b => b.Endpoint)];

    private static async Task<List<Store.EventRecord>> EventsAsync(Client.ControlClient client) =>
        [.. (await client.LinesAsync("v1/events", CancellationToken.None).ToListAsync())
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<Store.EventRecord>(l, Wire.Options)!)];

    private static async Task<Store.EventRecord?> BackendEventAsync(Client.ControlClient client, string kind, string endpoint) =>
        (await EventsAsync(client)).FirstOrDefault(e => e.Kind == kind && e.Message.Contains(endpoint, StringComparison.Ordinal));

    private static async Task<BalancerView> WaitLeaderAsync(Client.ControlClient client, long term)
    {
        BalancerView? view = null;
        await Wait.UntilAsync(
            async () =>
            {
                view = (await client.GetAsync<List<BalancerView>>("v1/balancers", CancellationToken.None)).SingleOrDefault();
                return view is { Leader: not null } && view.Term >= term && view.Replicas.Any(r => r.Leader && r.Node == view.Leader);
            },
            TimeSpan.FromSeconds(30),
            $"a leader in term {term} or later");
        return view!;
    }

    /// <summary>
    /// Starts watching (a client in site west, the VIP's holders among the replicas e1 and e2), waits until
    /// the client is served, then runs <paramref name="failure"/>; returns the watch and when it struck.
    /// </summary>
    private static async Task<(FailoverWatch Watch, TimeSpan At)> FailAsync(DaemonEnv env, Func<Task> failure)
    {
        var watch = new FailoverWatch(() => Get(env, "w1") is not null, () => new[] { "e1", "e2" }.Count(n => Holds(env, n)));
        try
        {
            await watch.UntilAnsweredAfterAsync(TimeSpan.Zero, 5, "the client in site west to be served through the VIP");
            var at = watch.Now;
            await failure();
            return (watch, at);
        }
        catch
        {
            await watch.DisposeAsync();
            throw;
        }
    }

    private static void AssertNoOverlap(FailoverWatch watch)
    {
        Assert.True(watch.Samples > 10, $"only {watch.Samples} samples of the VIP's holders");
        Assert.Equal(0, watch.Overlaps);
    }

    /// <summary>Whether <paramref name="node"/>'s namespace has the VIP, read from inside it (no process per sample).</summary>
    private static bool Holds(DaemonEnv env, string node)
    {
        var ns = LocalNames.Node(env.Name, node);
        try
        {
            return Vip.Held(ns, s_vip);
        }
        catch (IOException e) when (!Ip.Exists(ns) || e.InnerException is IOException { HResult: 22 })
        {
            // A removed node's namespace holds nothing; while it is being removed, its file is
            // still there but no namespace any more (setns: EINVAL).
            return false;
        }
    }

    /// <summary>GET /status through the VIP from inside <paramref name="from"/>'s namespace; null when it fails.</summary>
    private static string? Get(DaemonEnv env, string from)
    {
        try
        {
            using var socket = NetNs.Run(LocalNames.Node(env.Name, from), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            socket.ReceiveTimeout = 2000;
            socket.SendTimeout = 2000;
            var connect = socket.BeginConnect(new IPEndPoint(s_vip, 80), null, null);
            if (!connect.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2)))
            {
                return null;
            }

            socket.EndConnect(connect);
            socket.Send("GET /status HTTP/1.0\r\n\r\n"u8.ToArray());
            var buffer = new byte[4096];
            var read = socket.Receive(buffer);
            var text = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            return text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) ? text : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
