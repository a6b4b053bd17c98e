using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GeoStage.Control.Api;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>The daemon killed mid-rollout, nodes joining and leaving, and the sample application across three sites.</summary>
public sealed class DaemonTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(90);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_DaemonKilledMidRollout_RestartAdoptsAndFinishesWithoutDuplicates()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("dk")));
        await env.ApplyAsync(Workloads.Chain());
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 1 ready");

        await env.ApplyAsync(Workloads.Chain(version: "2"));
        await env.WaitAsync("chain", w => w.Versions.GetValueOrDefault("2") >= 1, s_settle, "the rollout under way");
        env.KillDaemon();
        var whileDead = env.InstanceProcesses("chain");
        await env.StartDaemonAsync();
        var done = await env.WaitAsync("chain", w => w.Status == "ready" && w.Versions.Keys.SequenceEqual(["2"]), s_settle, "version 2 everywhere after the restart");
        var after = env.InstanceProcesses("chain");

        Assert.Equal(["e1", "e2", "w1"], whileDead.Select(p => p.Node).Order());
        Assert.Equal(["e1", "e2", "w1"], after.Select(p => p.Node).Order());
        Assert.Equal(3, done.Healthy);
        var instances = await env.InstancesAsync("chain");
        Assert.Equal(after.Select(p => p.Pid).Order(), instances.Select(i => i.Pid!.Value).Order());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_RestartedWithNothingChanged_AdoptsEveryInstanceAndRestartsNone()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("da")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready");
        var before = env.InstanceProcesses("sleeper").Select(p => p.Pid).Order().ToList();

        env.KillDaemon();
        await env.StartDaemonAsync();
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready again");

        Assert.Equal(before, env.InstanceProcesses("sleeper").Select(p => p.Pid).Order());
        Assert.All(await env.InstancesAsync("sleeper"), i => Assert.Equal(0, i.Restarts));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_InstanceWithChildren_ChildrenSurviveARestartAndEndWithStop()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("dc")));
        const string Forking = """
            workloads:
              - name: forker
                command: /bin/sh
                args: ["-c", "sleep 600 & exec sleep 601"]
                placement: { nodes: [w1] }
            """;
        await env.ApplyAsync(Forking);
        await env.WaitAsync("forker", w => w.Status == "ready", s_settle, "forker ready");
        await Wait.UntilAsync(() => env.InstanceProcesses("forker").Count == 2, TimeSpan.FromSeconds(10), "the instance and its child");
        var before = env.InstanceProcesses("forker").Select(p => p.Pid).Order().ToList();

        env.KillDaemon();
        await env.StartDaemonAsync();
        await env.WaitAsync("forker", w => w.Status == "ready", s_settle, "forker adopted");
        var adopted = env.InstanceProcesses("forker").Select(p => p.Pid).Order().ToList();
        using var client = env.Client();
        await client.PostAsync<WorkloadView>("v1/workloads/forker/stop", new { }, CancellationToken.None);
        await env.WaitAsync("forker", w => w.Instances == 0, s_settle, "forker stopped");

        Assert.Equal(before, adopted);
        await Wait.UntilAsync(() => env.InstanceProcesses("forker").Count == 0, TimeSpan.FromSeconds(10), "the child to end with its instance");
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Nodes_AddThenRemove_WorkloadFollowsAndNamespaceGoes()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("dn")));
        await env.ApplyAsync(Workloads.Chain());
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "chain ready");
        using var client = env.Client();

        var added = await client.PostAsync<NodeAdded>("v1/nodes", new NodeRequest("west", "w2", null, null), CancellationToken.None);
        var status = await StatusAsync(env, "w2", IPAddress.Parse(added.Address), from: "e1");
        await client.DeleteAsync<JsonElement>("v1/nodes/w2", CancellationToken.None);
        var view = await env.WaitAsync("chain", w => w.Instances == 3 && w.Status == "ready", s_settle, "back to three instances");

        Assert.Equal("10.92.0.3", added.Address);
        Assert.Equal(1, added.Instances);
        Assert.Equal("w2", status.GetProperty("node").GetString());
        Assert.False(Ip.Exists(LocalNames.Node(env.Name, "w2")));
        Assert.DoesNotContain(env.InstanceProcesses("chain"), p => p.Node == "w2");
        Assert.Equal(3, view.Healthy);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task SampleApp_OnTheSeedTopology_AllEightNodesConvergeAcrossThreeSites()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.Seed(TempState.UniqueName("dp")));
        await env.ApplyAsync(Workloads.Chain());
        await env.WaitAsync("chain", w => w.Status == "ready" && w.Healthy == 8, s_settle, "eight healthy nodes");

        // Converged: every node reports the same tip, seen from node04 in site C through the overlay.
        var heights = new Dictionary<string, long>();
        await Wait.UntilAsync(
            async () =>
            {
                var tips = new List<JsonElement>();
                foreach (var n in env.Model.Nodes)
                {
                    tips.Add(await StatusAsync(env, n.Name, n.Address, from: "node04"));
                }

                heights = tips.ToDictionary(t => t.GetProperty("node").GetString()!, t => t.GetProperty("height").GetInt64());
                return tips.Select(t => t.GetProperty("tip").GetString()).Distinct().Count() == 1 && heights.Values.Min() >= 3;
            },
            TimeSpan.FromSeconds(60),
            "all eight nodes on one chain");

        Assert.Equal(env.Model.Nodes.Select(n => n.Name).Order(), heights.Keys.Order());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Sites_AddWithANodeThenRemove_MeshGrowsAndShrinks()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("ds")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready");
        using var client = env.Client();

        var site = await client.PostAsync<SiteAdded>("v1/sites", new SiteRequest("north", "10.93.0.0/24", null, null), CancellationToken.None);
        var node = await client.PostAsync<NodeAdded>("v1/nodes", new NodeRequest("north", "n1", null, null), CancellationToken.None);
        var grown = (await client.GetAsync<JsonElement>("v1/environment", CancellationToken.None)).GetProperty("model");
        await client.DeleteAsync<JsonElement>("v1/sites/north", CancellationToken.None);
        var shrunk = (await client.GetAsync<JsonElement>("v1/environment", CancellationToken.None)).GetProperty("model");

        Assert.Equal(2, site.Tunnels);
        Assert.Equal("10.9.0.3", site.Router);
        Assert.Equal(1, node.Instances);
        Assert.Equal(3, grown.GetProperty("overlay").GetProperty("tunnels").GetArrayLength());
        Assert.Equal(1, shrunk.GetProperty("overlay").GetProperty("tunnels").GetArrayLength());
        Assert.False(Ip.Exists(LocalNames.Router(env.Name, "north")));
        Assert.False(Ip.Exists(LocalNames.Node(env.Name, "n1")));
        Assert.DoesNotContain(env.InstanceProcesses("sleeper"), p => p.Node == "n1");
        var east = RootSnapshot.Run("ip", "-n", LocalNames.Router(env.Name, "east"), "-o", "link", "show");
        Assert.DoesNotContain("tun-north", east, StringComparison.Ordinal);
    }

    /// <summary>GET /status of a node's P2P app, from inside another node's namespace.</summary>
    private static async Task<JsonElement> StatusAsync(DaemonEnv env, string node, IPAddress address, string from)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = NetNs.Run(LocalNames.Node(env.Name, from), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri($"http://{address}:7000/status"));
        var status = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(node, status.GetProperty("node").GetString());
        return status;
    }
}
