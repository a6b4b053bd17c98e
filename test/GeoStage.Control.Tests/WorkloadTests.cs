using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>Deploy, update, rollback, stop, scale, logs and crash restarts with real processes in real namespaces.</summary>
public sealed class WorkloadTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Apply_Chain_EveryNodeRunsOneHealthyInstanceInItsNamespace()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wd")));

        var applied = await env.ApplyAsync(Workloads.Chain());
        var view = await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "chain ready");

        Assert.Equal("created", applied.Workloads["chain"]);
        Assert.Equal(3, view.Healthy);
        var processes = env.InstanceProcesses("chain");
        Assert.Equal(env.Model.Nodes.Select(n => n.Name).Order(), processes.Select(p => p.Node).Order());
        foreach (var (node, pid) in processes)
        {
            Assert.Equal(NetNs.Identity(LocalNames.Node(env.Name, node)), new FileInfo($"/proc/{pid}/ns/net").LinkTarget);
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_NewVersion_RollsSiteBySiteThroughMixedVersions()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wu")));
        await env.ApplyAsync(Workloads.Chain());
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 1 ready");

        await env.ApplyAsync(Workloads.Chain(version: "2"));
        var mixed = await env.WaitAsync("chain", w => w.Versions.Count == 2, s_settle, "mixed versions during the rollout");
        var done = await env.WaitAsync("chain", w => w.Status == "ready" && w.Versions.Keys.SequenceEqual(["2"]), s_settle, "version 2 everywhere");

        Assert.True(mixed.Versions["1"] > 0 && mixed.Versions["2"] > 0);
        Assert.Equal(3, done.Healthy);
        var replaced = (await env.EventsAsync()).Where(e => e.Kind == "instance-replacing").Select(e => e.Node!).ToList();

        // Site east (e1, e2) is done before site west (w1) starts.
        Assert.Equal(["e1", "e2", "w1"], replaced);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_VersionThatFailsItsHealthCheck_StopsAndRollsBack()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wf")));
        await env.ApplyAsync(Workloads.Chain(healthTimeout: "3s"));
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 1 ready");

        // Version 2 listens on 7001 while its health check asks 7000: it never becomes healthy.
        await env.ApplyAsync(Workloads.Chain(version: "2", port: 7001, healthTimeout: "3s"));
        var back = await env.WaitAsync("chain", w => w.Status == "rolled-back", s_settle, "the rollback");

        Assert.Equal(["1"], back.Versions.Keys);
        Assert.Equal(3, back.Healthy);
        Assert.Contains("failed its health check", back.Message, StringComparison.Ordinal);
        Assert.Equal(3, env.InstanceProcesses("chain").Count);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_VersionThatCrashLoops_RollsBack()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wx")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleepers ready");
        using var client = env.Client();

        // 'sleep forever-ish' is not a number: version 2 exits at once, every time.
        await client.PostAsync<WorkloadView>("v1/workloads/sleeper/update", new UpdateRequest("2", null, ["forever-ish"], null), CancellationToken.None);
        var back = await env.WaitAsync("sleeper", w => w.Status == "rolled-back", s_settle, "the rollback of a crash-looping version");

        Assert.Equal(["1"], back.Versions.Keys);
        Assert.Equal(3, back.Healthy);
        Assert.Contains("crashed 3 times", back.Message, StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task StopAndScale_Sleeper_InstancesFollowPlacement()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("ws")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Healthy == 3, s_settle, "3 sleepers");
        using var client = env.Client();

        await client.PostAsync<WorkloadView>("v1/workloads/sleeper/scale", new ScaleRequest(false, 1, null, null, null), CancellationToken.None);
        await env.WaitAsync("sleeper", w => w.Instances == 2 && w.Status == "ready", s_settle, "one sleeper per site");
        var perSite = env.InstanceProcesses("sleeper");
        await client.PostAsync<WorkloadView>("v1/workloads/sleeper/stop", new { }, CancellationToken.None);
        await env.WaitAsync("sleeper", w => w.Instances == 0, s_settle, "no sleeper");

        Assert.Equal(["e1", "w1"], perSite.Select(p => p.Node).Order());
        Assert.Empty(env.InstanceProcesses("sleeper"));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Apply_OnlyPlacementChanged_NoInstanceRestarts()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wp")));
        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready" && w.Healthy == 3, s_settle, "3 sleepers");
        var before = env.InstanceProcesses("sleeper").Where(p => p.Node != "w1").OrderBy(p => p.Node).ToList();

        var applied = await env.ApplyAsync(Workloads.Sleeper("{ sites: [east] }"));
        var view = await env.WaitAsync("sleeper", w => w.Instances == 2 && w.Status == "ready", s_settle, "sleepers only in east");

        Assert.Equal("reconfigured", applied.Workloads["sleeper"]);
        Assert.Equal(1, view.Generation);
        Assert.Equal(before, env.InstanceProcesses("sleeper").OrderBy(p => p.Node).ToList());
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Crash_KilledInstance_RestartsWithGrowingBackoff()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wc")));
        await env.ApplyAsync(Workloads.Sleeper("{ nodes: [w1] }"));
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleeper ready");

        for (var crash = 1; crash <= 3; crash++)
        {
            var before = (await env.InstancesAsync("sleeper")).Single();
            using (var victim = System.Diagnostics.Process.GetProcessById(before.Pid!.Value))
            {
                victim.Kill();
            }

            var expected = crash;
            await Wait.UntilAsync(async () => (await env.InstancesAsync("sleeper")).Single() is { Restarts: var r, State: "healthy" } && r == expected, s_settle, $"restart {crash}");
        }

        var crashes = (await env.EventsAsync()).Where(e => e.Kind == "instance-crashed").Select(e => e.Message).ToList();

        Assert.Equal(3, crashes.Count);
        Assert.Contains("killed by signal 9; restart 1 in 250 ms", crashes[0], StringComparison.Ordinal);
        Assert.Contains("restart 2 in 500 ms", crashes[1], StringComparison.Ordinal);
        Assert.Contains("restart 3 in 1000 ms", crashes[2], StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Instances_RunningAgainAfterACrash_StillShowTheLastExit()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wx")));
        await env.ApplyAsync(Workloads.Sleeper("{ nodes: [w1] }"));
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleeper ready");
        var before = (await env.InstancesAsync("sleeper")).Single();
        Assert.Null(before.LastExit);

        using (var victim = System.Diagnostics.Process.GetProcessById(before.Pid!.Value))
        {
            victim.Kill();
        }

        await Wait.UntilAsync(async () => (await env.InstancesAsync("sleeper")).Single() is { Restarts: 1, State: "healthy" }, s_settle, "the restart");
        var after = (await env.InstancesAsync("sleeper")).Single();
        Assert.Equal("killed by signal 9", after.LastExit);
        Assert.NotEqual(before.Pid, after.Pid);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Logs_Chain_ShowEachInstancesOutputPrefixedWithItsNode()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wl")));
        await env.ApplyAsync(Workloads.Chain());
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "chain ready");
        using var client = env.Client();

        var lines = new List<string>();
        await foreach (var line in client.LinesAsync("v1/logs?workload=chain&tail=50", CancellationToken.None))
        {
            lines.Add(line);
        }

        foreach (var node in new[] { "e1", "e2", "w1" })
        {
            Assert.Contains(lines, l => l.StartsWith($"[{node}] {node} version 1 listening on", StringComparison.Ordinal));
        }
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Apply_BadWorkloads_RefusedWithPositionsAndNothingStarts()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("wb")));
        const string Bad = """
            workloads:
              - name: broken
                command: /no/such/program
                args: ["{{node.colour}}"]
                placement: { nodes: [nowhere] }
            """;

        var error = await Assert.ThrowsAsync<ControlRequestException>(() => env.ApplyAsync(Bad));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Status);
        Assert.Contains(error.Errors, e => e.Contains("workloads.yaml:3:14", StringComparison.Ordinal) && e.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains(":4:12", StringComparison.Ordinal) && e.Contains("unknown fact", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains(":5:26", StringComparison.Ordinal) && e.Contains("unknown node 'nowhere'", StringComparison.Ordinal));
        using var client = env.Client();
        Assert.Empty(await client.GetAsync<List<WorkloadView>>("v1/workloads", CancellationToken.None));
    }
}
