using System.Net;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Core.Specs;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>Hostile request bodies: each is refused with a positioned error, the daemon lives on, nothing is created.</summary>
public sealed class InputLimitTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Apply_HostileBodies_EachRefusedAndTheDaemonLivesOn()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("il")));
        var pid = env.DaemonPid;
        var bomb = string.Join("\n", Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat(i == 1 ? "lol" : $"*a{i - 1}", 10))}]"));
        var hostile = new (string Text, string Line, string Says)[]
        {
            // Before the bound the first ended the daemon with a stack overflow, and supervision with it.
            ("workloads: " + new string('[', 30_000), ":1:", "nesting deeper than"),
            ($"name: x\nwan: 10.4.0.0/16\nsites: {string.Concat(Enumerable.Repeat("{a: ", 30_000))}", ":3:", "nesting deeper than"),
            (bomb + "\nworkloads: *a9\n", ":", "expands (aliases included)"),
            ("workloads: [{ name: w, command: /bin/sh, args: [" + new string('x', SpecLimits.MaxScalarChars + 1) + "] }]", ":1:", "characters"),
            ("workloads: []\n#" + new string('x', SpecLimits.MaxFileBytes), ":1:1:", "larger than 4 MiB"),
        };

        foreach (var (text, line, says) in hostile)
        {
            var refused = await Assert.ThrowsAsync<ControlRequestException>(() => env.ApplyAsync(text));

            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            var error = Assert.Single(refused.Errors);
            Assert.Contains("workloads.yaml" + line, error, StringComparison.Ordinal);
            Assert.Contains(says, error, StringComparison.Ordinal);
        }

        using var client = env.Client();
        var location = await Assert.ThrowsAsync<ControlRequestException>(() =>
            client.PostAsync<SiteAdded>("v1/sites", new SiteRequest("far", "10.93.0.0/24", null, new string('x', 10_000)), CancellationToken.None));
        Assert.Contains("the location is 10,000 characters long; at most 256", location.Message, StringComparison.Ordinal);

        // Beyond the body bound Kestrel refuses unread (413), or drops the upload: either way an error, not a crash.
        await Assert.ThrowsAnyAsync<Exception>(() => env.ApplyAsync(new string('x', (int)Daemon.ControlDaemon.MaxRequestBytes)));

        var health = await client.GetAsync<HealthResponse>("v1/health", CancellationToken.None);
        Assert.Equal(pid, health.Pid);
        Assert.Empty(await client.GetAsync<List<WorkloadView>>("v1/workloads", CancellationToken.None));
        Assert.Equal(["east", "west"], (await client.GetAsync<Core.State.EnvironmentState>("v1/environment", CancellationToken.None)).Model.Sites.Select(s => s.Name));
    }
}
