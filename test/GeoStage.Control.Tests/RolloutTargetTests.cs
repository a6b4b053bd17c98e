using System.Diagnostics;
using System.Text.Json;
using GeoStage.Cli;
using GeoStage.Control.Api;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// What a rollout returns to and builds on when changes come faster than rollouts finish: a broken
/// version never becomes the rollback target or the basis of the next update, and a caller whose
/// change was superseded hears so.
/// </summary>
public sealed class RolloutTargetTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(90);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_VersionOnlyWhileBrokenRolloutRuns_BuildsOnLastHealthySpecAndBecomesReady()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rt")));
        await env.ApplyAsync(Workloads.Chain(version: "20", healthTimeout: "10s"));
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 20 ready");
        using var client = env.Client();

        await client.PostAsync<WorkloadView>("v1/workloads/chain/update", new UpdateRequest("21", null, ["/nonexistent.dll"], null), CancellationToken.None);
        var accepted = await client.PostAsync<WorkloadView>("v1/workloads/chain/update", new UpdateRequest("22", null, null, null), CancellationToken.None);
        var settled = await env.WaitAsync("chain", w => w.Generation >= 3 && w.Status is "ready" or "rolling-back" or "rolled-back", s_settle, "version 22 to settle");

        Assert.Equal("ready", settled.Status);
        Assert.Equal(["22"], settled.Versions.Keys);
        Assert.Equal(3, settled.Healthy);
        Assert.Contains("built on version 20", accepted.Message, StringComparison.Ordinal);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_FailsWhileBrokenRolloutRuns_RollsBackToLastHealthyVersion()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rb")));
        await env.ApplyAsync(Workloads.Chain(version: "20", healthTimeout: "10s"));
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 20 ready");
        using var client = env.Client();

        await client.PostAsync<WorkloadView>("v1/workloads/chain/update", new UpdateRequest("21", null, ["/nonexistent.dll"], null), CancellationToken.None);
        await client.PostAsync<WorkloadView>("v1/workloads/chain/update", new UpdateRequest("22", null, ["/nonexistent-22.dll"], null), CancellationToken.None);
        var failing = await env.WaitAsync("chain", w => w.Status is "rolling-back" or "rolled-back", s_settle, "the rollback of version 22");
        Assert.Contains("version 22", failing.Message, StringComparison.Ordinal);
        Assert.Contains("rolling back to version 20", failing.Message, StringComparison.Ordinal);
        var back = await env.WaitAsync("chain", w => w.Status == "rolled-back", s_settle, "version 20 back everywhere");

        Assert.Equal(["20"], back.Versions.Keys);
        Assert.Equal(3, back.Healthy);
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Update_TwoConcurrentUpdates_SupersededCallerIsToldAndOtherGetsReady()
    {
        using var gates = new TempState();
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("rs")));
        await File.WriteAllTextAsync(Path.Combine(gates.Root, "go-9"), "");
        await env.ApplyAsync(GatedChain(gates.Root));
        await env.WaitAsync("chain", w => w.Status == "ready", s_settle, "version 9 ready");

        // Version 10 waits for a gate the test never opens, so version 11 surely lands while 10 rolls out.
        var first = RunCliAsync(env, "update", "chain", "--version", "10", "--name", env.Name, "--timeout", "120", "--output", "json");
        await env.WaitAsync("chain", w => w.Generation == 2, s_settle, "version 10 accepted");
        await File.WriteAllTextAsync(Path.Combine(gates.Root, "go-11"), "");
        var second = await RunCliAsync(env, "update", "chain", "--version", "11", "--name", env.Name, "--timeout", "120");
        var superseded = await first;

        Assert.True(second.Exit == ExitCodes.Ok, second.ToString());
        Assert.Contains("chain: version 11 ready", second.Stdout, StringComparison.Ordinal);
        Assert.True(superseded.Exit == ExitCodes.Superseded, superseded.ToString());
        Assert.Contains("chain: version 10 was superseded by version 11 (update at ", superseded.Stderr, StringComparison.Ordinal);
        Assert.Contains(") before it was ready", superseded.Stderr, StringComparison.Ordinal);
        var json = JsonDocument.Parse(superseded.Stdout).RootElement.GetProperty("superseded")[0];
        Assert.Equal("chain", json.GetProperty("workload").GetString());
        Assert.Equal("10", json.GetProperty("version").GetString());
        Assert.Equal("11", json.GetProperty("supersededBy").GetProperty("version").GetString());
        Assert.StartsWith("version 10 was superseded by version 11", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The sample P2P node, started only once the file go-VERSION exists in <paramref name="gates"/>.</summary>
    private static string GatedChain(string gates)
    {
        var dotnet = Machine.FindTool("dotnet") ?? "dotnet";
        return $$$"""
            workloads:
              - name: chain
                version: "9"
                command: /bin/sh
                args: ["-c", "while [ ! -e {{{gates}}}/go-{{workload.version}} ]; do sleep 0.1; done; exec {{{dotnet}}} {{{DaemonEnv.P2pNode}}} --name {{node.name}} --listen {{node.address}}:7000 --version {{workload.version}} --interval-ms 500"]
                health: { http: "http://{{node.address}}:7000/status", interval: 200ms }
                rollout: { maxUnavailable: 1, healthTimeout: 60s }
                ports: [7000]
            """;
    }

    private sealed record CliOutcome(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs the real CLI against the test's daemon; ends it (by its own PID) if it outlives the test's patience.</summary>
    private static async Task<CliOutcome> RunCliAsync(DaemonEnv env, params string[] args)
    {
        var info = new ProcessStartInfo(Machine.FindTool("dotnet") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "geostage.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE_STATE_DIR"] = env.Store.Root;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"geostage {string.Join(' ', args)} still ran after 180 s");
        }

        return new CliOutcome(process.ExitCode, await stdout, await stderr);
    }
}
