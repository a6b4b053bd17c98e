using GeoStage.Local.Instances;
using GeoStage.Core.Processes;
using System.Text.Json;
using GeoStage.Control.Api;
using GeoStage.Control.Instances;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// The daemon SIGKILLed at each step of node add, site add, deploy and update (by test pause points, not
/// timing), then started again: the environment converges with nothing duplicated, lost or stuck.
/// One environment serves every point of one operation; each point leaves it as it found it.
/// </summary>
public sealed class CrashTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(90);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task NodeAdd_DaemonKilledAtEachStep_RestartFinishesTheNodeAndItCanBeRemoved()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("kn")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready");
        string[] points = ["node-add.recorded", "node-add.namespace", "node-add.veth", "node-add.address", "node-add.neighbours", "node-add.placed"];

        foreach (var (point, i) in points.Select((p, i) => (p, i)))
        {
            var name = $"x{i}";
            await KillPoint.KillAtAsync(env, point, c => c.PostAsync<NodeAdded>("v1/nodes", new NodeRequest("west", name, null, null), CancellationToken.None));

            var state = env.Store.Load(env.Name)!;
            Assert.Single(state.Model.Nodes, n => n.Name == name);
            Assert.Single(state.Namespaces, ns => ns == LocalNames.Node(env.Name, name));
            var reach = await env.Backend.WaitNodeReachableAsync(state.Model, name, TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.True(reach.All, $"{point}: {reach.Pairs.Count(p => !p.Reachable)} pairs with {name} unreachable");
            await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Instances == 4 && w.Healthy == 4, s_settle, $"{point}: a healthy sleeper on {name} too");
            Assert.Single(SleepersOn(env, name));
            Assert.Equal(["e1", "e2", "w1"], env.InstanceProcesses("sleeper").Select(p => p.Node).Order());

            using var client = env.Client();
            await client.DeleteAsync<JsonElement>($"v1/nodes/{name}", CancellationToken.None);
            Assert.False(Ip.Exists(LocalNames.Node(env.Name, name)), point);
            Assert.DoesNotContain(env.Store.Load(env.Name)!.Model.Nodes, n => n.Name == name);
            await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Instances == 3, s_settle, $"{point}: back to three sleepers");
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task SiteAdd_DaemonKilledAtEachStep_RestartUndoesOrKeepsItWhole()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("ks")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready");
        string[] points = ["site-add.recorded", "site-add.namespace", "site-add.links", "site-add.tunnels", "site-add.built"];
        var north = new SiteRequest("north", "10.93.0.0/24", null, null);

        foreach (var point in points)
        {
            await KillPoint.KillAtAsync(env, point, c => c.PostAsync<SiteAdded>("v1/sites", north, CancellationToken.None));

            using var client = env.Client();
            var kept = env.Store.Load(env.Name)!.Model.Sites.Any(s => s.Name == "north");
            Assert.Equal(point == "site-add.built", kept);
            if (!kept)
            {
                AssertNoNorth(env, point);
                var again = await client.PostAsync<SiteAdded>("v1/sites", north, CancellationToken.None);
                Assert.Equal(2, again.Tunnels);
            }

            var node = await client.PostAsync<NodeAdded>("v1/nodes", new NodeRequest("north", "n1", null, null), CancellationToken.None);
            Assert.Equal(1, node.Instances);
            await client.DeleteAsync<JsonElement>("v1/sites/north", CancellationToken.None);
            AssertNoNorth(env, point);
            await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Instances == 3 && w.Healthy == 3, s_settle, $"{point}: the sleepers untouched");
        }

        var reach = await env.Backend.WaitNodeReachableAsync(env.Store.Load(env.Name)!.Model, "w1", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(reach.All);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Deploy_DaemonKilledAfterStoringAndAfterSpawning_OneHealthyInstancePerNode()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("kd")));
        string[] points = ["deploy.stored", "deploy.spawned"];

        foreach (var (point, i) in points.Select((p, i) => (p, i)))
        {
            var workload = $"s{i}";
            var yaml = Workloads.Sleeper().Replace("name: sleeper", $"name: {workload}", StringComparison.Ordinal);
            await KillPoint.KillAtAsync(env, point, c => c.PostAsync<ApplyResponse>("v1/workloads/apply", new ApplyRequest("workloads.yaml", yaml), CancellationToken.None));

            var view = await env.WaitAsync(workload, w => w.Status == "ready", s_settle, $"{point}: {workload} ready");
            await AssertOnePerNodeAsync(env, workload, point);
            Assert.Equal(3, view.Healthy);
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_DaemonKilledMidRollout_RestartFinishesWithOneInstancePerNode()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("ku")));
        var v1 = Workloads.Sleeper().Replace("command:", "version: \"1\"\n    command:", StringComparison.Ordinal);
        await env.ApplyAsync(v1);
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "version 1 ready");

        var v2 = v1.Replace("version: \"1\"", "version: \"2\"", StringComparison.Ordinal);
        await KillPoint.KillAtAsync(env, "update.replacing", c => c.PostAsync<ApplyResponse>("v1/workloads/apply", new ApplyRequest("workloads.yaml", v2), CancellationToken.None));

        var done = await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Versions.Keys.SequenceEqual(["2"]), s_settle, "version 2 everywhere after the restart");
        await AssertOnePerNodeAsync(env, "sleeper", "update.replacing");
        Assert.Equal(3, done.Healthy);
    }

    private static async Task AssertOnePerNodeAsync(DaemonEnv env, string workload, string point)
    {
        var processes = env.InstanceProcesses(workload);
        Assert.True(processes.Select(p => p.Node).Order().SequenceEqual(["e1", "e2", "w1"]), $"{point}: {workload} processes on {string.Join(",", processes.Select(p => p.Node))}");
        var instances = await env.InstancesAsync(workload);
        Assert.Equal(processes.Select(p => p.Pid).Order(), instances.Select(i => i.Pid!.Value).Order());
    }

    private static IEnumerable<int> SleepersOn(DaemonEnv env, string node) =>
        InstanceRunner.Scan(LocalNames.Node(env.Name, node)).Where(p => p.Marker == InstanceRunner.MarkerOf("sleeper", node)).Select(p => p.Pid);

    /// <summary>Nothing of site north left: no router, no record, no tunnel process or device at the other sites.</summary>
    private static void AssertNoNorth(DaemonEnv env, string point)
    {
        var state = env.Store.Load(env.Name)!;
        Assert.False(Ip.Exists(LocalNames.Router(env.Name, "north")), point);
        Assert.DoesNotContain(state.Model.Sites, s => s.Name == "north");
        Assert.DoesNotContain(state.Model.Overlay.Tunnels, t => t.Joins("north"));
        Assert.DoesNotContain(state.Processes, p => p.Site == "north" || p.Peer == "north");
        foreach (var site in new[] { "east", "west" })
        {
            var router = LocalNames.Router(env.Name, site);
            Assert.DoesNotContain("north", RootSnapshot.Run("ip", "-n", router, "-o", "link", "show"), StringComparison.Ordinal);
            var openvpn = ProcessesIn(router).Where(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("north", StringComparison.Ordinal));
            Assert.Empty(openvpn);
        }
    }

    private static IEnumerable<int> ProcessesIn(string ns) => Core.Processes.ProcTable.InNamespace(NetNs.Identity(ns));
}
