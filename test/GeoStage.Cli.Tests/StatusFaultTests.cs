using GeoStage.Core.Processes;
using System.Diagnostics;
using System.Text.Json;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>status shows a device deleted from a running environment, while no daemon is there to repair it.</summary>
public sealed class StatusFaultTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Status_DevicesDeletedWithoutDaemon_SitesAndNodesDegradedWithTheirProblems()
    {
        await using var sandbox = new CliSandbox("cf");
        CliAssert.Exit(ExitCodes.Ok, await sandbox.RunAsync("up", sandbox.WriteFile("seed.yaml", Topologies.Seed(sandbox.Name))));
        var daemon = (await JsonAsync(sandbox, "status", "--output", "json")).GetProperty("daemon").GetProperty("pid").GetInt32();
        Process.GetProcessById(daemon).Kill();
        await Wait.UntilAsync(() => ProcTable.StartTicks(daemon) is null, TimeSpan.FromSeconds(10), "the daemon to end");

        RootSnapshot.Run("ip", "-n", LocalNames.Router(sandbox.Name, "a"), "link", "del", "tun-b");
        RootSnapshot.Run("ip", "-n", LocalNames.Node(sandbox.Name, "node01"), "link", "del", "eth0");
        RootSnapshot.Run("ip", "-n", LocalNames.Fabric(sandbox.Name), "link", "del", "s2");
        var status = await JsonAsync(sandbox, "status", "--output", "json");
        var table = await sandbox.RunAsync("status");

        var site = status.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "a");
        Assert.Equal("degraded", site.GetProperty("state").GetString());
        Assert.Equal(["tun-b: missing"], site.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        var node = status.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "node01");
        Assert.Equal("degraded", node.GetProperty("state").GetString());
        Assert.Equal(["eth0: missing"], node.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["s2: missing"], status.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("up", status.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "b").GetProperty("state").GetString());
        Assert.False(status.GetProperty("sites")[1].TryGetProperty("problems", out _));
        CliAssert.Exit(ExitCodes.Ok, table);
        Assert.Contains("tun-b: missing", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("fabric: degraded", table.Stdout, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> JsonAsync(CliSandbox sandbox, params string[] args)
    {
        var result = await sandbox.RunAsync(args);
        CliAssert.Exit(ExitCodes.Ok, result);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }
}
