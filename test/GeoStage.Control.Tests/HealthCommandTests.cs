using GeoStage.Local.Instances;
using GeoStage.Control.Instances;
using GeoStage.Core.Model;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>A command health check, run inside a real namespace: healthy on exit 0, else its exit code and stderr, or its timeout.</summary>
public sealed class HealthCommandTests
{
    [RootFact("nsenter")]
    public async Task CheckAsync_Commands_ReportExitZeroFailureAndTimeout()
    {
        var ns = TempState.UniqueName("gs-health");
        RootSnapshot.Run("ip", "netns", "add", ns);
        try
        {
            Assert.Null(await CheckAsync(ns, ["/bin/true"], TimeSpan.FromSeconds(10)));
            Assert.Equal("health command exited 4: bad", await CheckAsync(ns, ["/bin/sh", "-c", "echo fine; echo bad >&2; exit 4"], TimeSpan.FromSeconds(10)));
            Assert.Equal("no answer within 300 ms", await CheckAsync(ns, ["sleep", "30"], TimeSpan.FromMilliseconds(300)));
        }
        finally
        {
            RootSnapshot.Run("ip", "netns", "delete", ns);
        }
    }

    // A command check reads neither the environment, the workload nor the nodes: only the namespace and the command.
    private static Task<string?> CheckAsync(string ns, string[] command, TimeSpan timeout) =>
        HealthChecker.CheckAsync(new HealthModel { Kind = HealthKind.Command, Command = command, Timeout = timeout }, ns, null!, null!, null!, [], CancellationToken.None);
}
