using GeoStage.Core.Processes;
using System.Text.Json;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>The seed topology through the CLI, as a user runs it: up, look, probe, exec, down.</summary>
public sealed class SeedAcceptanceTests
{
    private const int Nodes = 8;
    private const int Pairs = Nodes * (Nodes - 1);
    private const int SameSitePairs = (4 * 3) + (2 * 1) + (2 * 1);

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Seed_UpReachStatusExecDown_AsSpecifiedAndNothingLeft()
    {
        var root = RootSnapshot.Take();
        await using var sandbox = new CliSandbox("ca");
        var file = sandbox.WriteFile("seed.yaml", Topologies.Seed(sandbox.Name));

        var up = await sandbox.RunAsync("up", file);
        CliAssert.Exit(ExitCodes.Ok, up);
        Assert.Contains($"{sandbox.Name} is up", up.Stdout, StringComparison.Ordinal);

        var reach = await JsonAsync(sandbox, "reach", "--output", "json");
        Assert.Equal(sandbox.Name, reach.GetProperty("environment").GetString());
        Assert.True(reach.GetProperty("overlay").GetBoolean());
        Assert.Equal(Pairs, reach.GetProperty("reachable").GetInt32());
        Assert.Equal(Pairs, reach.GetProperty("total").GetInt32());
        var pairs = reach.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(Pairs, pairs.Count);
        Assert.All(pairs, pair =>
        {
            foreach (var key in new[] { "from", "to", "fromSite", "toSite" })
            {
                Assert.False(string.IsNullOrEmpty(pair.GetProperty(key).GetString()), $"{key} is empty");
            }

            Assert.True(pair.GetProperty("reachable").GetBoolean());
            Assert.True(pair.GetProperty("rttMs").GetDouble() > 0);
        });
        Assert.Equal(Pairs, pairs.Select(p => (p.GetProperty("from").GetString(), p.GetProperty("to").GetString())).Distinct().Count());

        var without = await JsonAsync(sandbox, "reach", "--without-overlay", "--output", "json");
        Assert.False(without.GetProperty("overlay").GetBoolean());
        Assert.Equal(SameSitePairs, without.GetProperty("reachable").GetInt32());
        Assert.Equal(Pairs, without.GetProperty("total").GetInt32());
        Assert.All(without.GetProperty("pairs").EnumerateArray(), pair =>
            Assert.Equal(pair.GetProperty("fromSite").GetString() == pair.GetProperty("toSite").GetString(), pair.GetProperty("reachable").GetBoolean()));

        var status = await JsonAsync(sandbox, "status", "--output", "json");
        Assert.Equal(sandbox.Name, status.GetProperty("environment").GetString());
        Assert.Equal("up", status.GetProperty("phase").GetString());
        var sites = status.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal(["a", "b", "c"], sites.Select(s => s.GetProperty("name").GetString()));
        Assert.All(sites, site =>
        {
            Assert.Equal("up", site.GetProperty("state").GetString());
            var tunnels = site.GetProperty("tunnels").EnumerateArray().ToList();
            Assert.Equal(2, tunnels.Count);
            Assert.All(tunnels, t => Assert.Equal("up", t.GetProperty("state").GetString()));
        });
        var nodes = status.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(Nodes, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("up", n.GetProperty("state").GetString()));

        var list = await JsonAsync(sandbox, "list", "--output", "json");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(sandbox.Name, listed.GetProperty("name").GetString());
        Assert.Equal("up", listed.GetProperty("phase").GetString());

        var again = await sandbox.RunAsync("up", file);
        CliAssert.Exit(ExitCodes.Conflict, again);
        Assert.Contains("already up", again.Stderr, StringComparison.Ordinal);

        var ping = await sandbox.RunAsync("exec", "node01", "--", "ping", "-c1", "-W2", "192.168.10.101");
        CliAssert.Exit(ExitCodes.Ok, ping);
        Assert.Contains("1 received", ping.Stdout, StringComparison.Ordinal);

        // PIDs as status shows them, with their start times now, so that a reused PID is not taken for a survivor.
        var processes = sites.SelectMany(s => s.GetProperty("tunnels").EnumerateArray())
            .Select(t => t.GetProperty("pid").GetInt32())
            .Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid)))
            .ToList();
        Assert.Equal(6, processes.Count);
        Assert.All(processes, p => Assert.NotNull(p.Ticks));

        var down = await sandbox.RunAsync("down", "--name", sandbox.Name);
        CliAssert.Exit(ExitCodes.Ok, down);
        Assert.StartsWith($"{sandbox.Name}: removed 12 namespaces and ", down.Stdout, StringComparison.Ordinal);

        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "down left something in the state directory");
        Assert.All(processes, p => Assert.False(ProcTable.IsAlive(p.Pid, p.Ticks!.Value), $"pid {p.Pid} still runs after down"));
        Assert.Equal(root, RootSnapshot.Take());
    }

    private static async Task<JsonElement> JsonAsync(CliSandbox sandbox, params string[] args)
    {
        var result = await sandbox.RunAsync(args);
        CliAssert.Exit(ExitCodes.Ok, result);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }
}
