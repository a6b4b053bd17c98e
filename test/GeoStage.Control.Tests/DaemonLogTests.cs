using GeoStage.Testing;
using Xunit;
using Xunit.Abstractions;

namespace GeoStage.Control.Tests;

/// <summary>The daemon's log (logs/daemon.log when up starts it): events at Information, details with --verbose.</summary>
public sealed class DaemonLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Deploy_Sleeper_LogsEachEventAtInformationWithoutDebug()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("lg")));

        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleeper ready");
        await Wait.UntilAsync(() => env.DaemonOutput.Any(l => IsEvent(l, "ready")), TimeSpan.FromSeconds(10), "the ready event in the daemon's log");

        var lines = env.DaemonOutput.ToList();
        lines.ForEach(output.WriteLine);
        Assert.Contains(lines, l => l.Contains("info: ", StringComparison.Ordinal) && l.Contains("[1000] control daemon of " + env.Name + " starting", StringComparison.Ordinal));
        Assert.Contains(lines, l => IsEvent(l, "workload-created") && l.Contains(" sleeper: version", StringComparison.Ordinal));
        Assert.Contains(lines, l => IsEvent(l, "instance-started"));
        Assert.DoesNotContain(lines, l => l.Contains("dbug: ", StringComparison.Ordinal));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Deploy_ServeVerbose_AddsDebugLinesForApiRequests()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("lv")), ["--verbose"]);

        await env.ApplyAsync(Workloads.Sleeper());
        await env.WaitAsync("sleeper", w => w.Status == "ready", s_settle, "sleeper ready");

        await Wait.UntilAsync(
            () => env.DaemonOutput.Any(l => l.Contains("dbug: ", StringComparison.Ordinal) && l.Contains("[1301] POST /v1/workloads/apply answered 200", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "a Debug line for the apply request");
        Assert.Contains(env.DaemonOutput, l => IsEvent(l, "workload-created"));
    }

    private static bool IsEvent(string line, string kind) =>
        line.Contains("info: ", StringComparison.Ordinal) && line.Contains($"[1100] event {kind} [", StringComparison.Ordinal);
}
