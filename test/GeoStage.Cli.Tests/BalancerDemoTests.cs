using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>The README's balancer demo as a user runs it: the sample app, examples/lb.yaml, examples/lb-failover.sh.</summary>
public sealed partial class BalancerDemoTests
{
    [RootFact("openvpn", "nsenter", "setsid", "arping", "curl")]
    public async Task LbFailoverScript_OnTheSeed_ClientInSiteCIsServedBeforeAndAfterTheKill()
    {
        var root = RootSnapshot.Take();
        await using var sandbox = new CliSandbox("cl");
        CliAssert.Exit(ExitCodes.Ok, await sandbox.RunAsync("up", sandbox.WriteFile("seed.yaml", Topologies.Seed(sandbox.Name))));
        CliAssert.Exit(ExitCodes.Ok, await sandbox.RunAsync("deploy", "--name", sandbox.Name, sandbox.WriteFile("chain.yaml", Chain)));
        CliAssert.Exit(ExitCodes.Ok, await sandbox.RunAsync("deploy", "--name", sandbox.Name, Path.Combine(AppContext.BaseDirectory, "examples", "lb.yaml")));

        var output = await RunScriptAsync(sandbox);

        var seen = ClientLine().Match(output);
        Assert.True(seen.Success, $"no client summary in the script's output:\n{output}");
        var answered = int.Parse(seen.Groups["answered"].Value, CultureInfo.InvariantCulture);
        var gapEnd = int.Parse(seen.Groups["to"].Value, CultureInfo.InvariantCulture);
        Assert.True(answered >= 10, $"only {answered} answers:\n{output}");

        // The longest silence contains the kill and ends with an answer: service resumed. How long it
        // lasted is wall time on a loaded machine: bench/ measures it (failover rounds, target median ≤ 1 s).
        Assert.True(gapEnd > 0, $"the client's longest silence ended before the kill:\n{output}");
        var killed = KilledLine().Match(output);
        Assert.True(killed.Success, output);
        var status = StatusLine().Match(output);
        Assert.True(status.Success, $"no lb status line:\n{output}");
        Assert.NotEqual(killed.Groups["node"].Value, status.Groups["leader"].Value);
        Assert.True(int.Parse(status.Groups["term"].Value, CultureInfo.InvariantCulture) >= 2, output);

        CliAssert.Exit(ExitCodes.Ok, await sandbox.RunAsync("down", "--name", sandbox.Name));
        Assert.Empty(sandbox.Namespaces());
        Assert.Equal(root, RootSnapshot.Take());
    }

    /// <summary>The sample application on every node, as examples/p2p.yaml, with the build the tests carry.</summary>
    private static string Chain => $$$"""
        workloads:
          - name: chain
            command: dotnet
            args: ["{{{Path.Combine(AppContext.BaseDirectory, "P2pNode.dll")}}}", "--name", "{{node.name}}", "--listen", "{{node.address}}:7000", "--peers", '{{peers "{address}:7000" ","}}']
            health: { http: "http://{{node.address}}:7000/status", interval: 200ms }
            ports: [7000]
        """;

    private static async Task<string> RunScriptAsync(CliSandbox sandbox)
    {
        // The script calls geostage by the name in GEOSTAGE: this build, with the sandbox's state.
        var wrapper = sandbox.WriteFile("geostage", $"#!/bin/sh\nexec '{CliProcess.Dotnet}' '{CliProcess.Dll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "examples", "lb-failover.sh"), sandbox.Name, "6" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE"] = wrapper;
        info.Environment["GEOSTAGE_STATE_DIR"] = sandbox.StateDir;
        using var script = Process.Start(info)!;
        var stdout = script.StandardOutput.ReadToEndAsync();
        var stderr = script.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await script.WaitForExitAsync(deadline.Token);
        var output = await stdout + await stderr;
        Assert.True(script.ExitCode == 0, $"lb-failover.sh exited {script.ExitCode}:\n{output}");
        return output;
    }

    [GeneratedRegex(@"client in site C: (?<answered>\d+) requests answered, (?<failed>\d+) not; longest time between two answers (?<gap>\d+) ms \((?<from>[+-]\d+) to (?<to>[+-]\d+) ms from the kill\)")]
    private static partial Regex ClientLine();

    [GeneratedRegex(@"killed lb-front on (?<node>\S+) \(pid \d+\), the leader")]
    private static partial Regex KilledLine();

    [GeneratedRegex(@"front VIP 192\.168\.10\.200 in site a: leader (?<leader>\S+) \(term (?<term>\d+)\)")]
    private static partial Regex StatusLine();
}
