using GeoStage.Control.Events;
using GeoStage.Control.Store;
using Xunit;
using static GeoStage.Control.Tests.Loop.LoopHarness;

namespace GeoStage.Control.Tests.Loop;

/// <summary>
/// A reconcile step that throws ends neither the loop nor the daemon: it is logged once while it repeats,
/// workloads are reconciled meanwhile, and its end is logged.
/// </summary>
public sealed class ReconcileFailureTests
{
    private const string Failed = "reconcile pass failed";

    [Fact]
    public async Task Reconcile_SuperviseTunnelsThrows_LoggedOnceAndWorkloadsStillSupervised()
    {
        await using var h = await StartAsync();
        h.Backend.ThrowFromSupervise(new IOException("tunnel table unreadable"));

        await h.DeployReadyAsync(Sleeper());
        await CrashAndRestartAsync(h);

        var failure = Assert.Single(h.Logger.Lines, l => l.Contains(Failed, StringComparison.Ordinal));
        Assert.Contains("tunnel table unreadable", failure, StringComparison.Ordinal);
        Assert.True(h.Backend.Supervisions > 10);

        h.Backend.ThrowFromSupervise(null);
        await h.PassAsync();
        Assert.Contains("reconcile pass succeeds again after: tunnel table unreadable", h.Logger.Messages);
        Assert.Single(h.Logger.Lines, l => l.Contains(Failed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconcile_DeviceCheckThrowsUnexpectedly_LoggedOnceAndWorkloadsStillSupervised()
    {
        await using var h = await StartAsync();
        h.Backend.ThrowFromCheck(new InvalidOperationException("netlink answered garbage"));

        await h.DeployReadyAsync(Sleeper());
        await CrashAndRestartAsync(h);

        Assert.Contains("netlink answered garbage", Assert.Single(h.Logger.Lines, l => l.Contains(Failed, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.True(h.Backend.Checks > 3);
    }

    [Fact]
    public async Task Reconcile_DeviceCheckKeepsThrowing_TunnelsStillSupervisedEveryPassAndNoRecoveryLogged()
    {
        await using var h = await StartAsync();
        h.Backend.ThrowFromCheck(new InvalidOperationException("netlink answered garbage"));
        await h.StepAsync();

        for (var pass = 0; pass < 10; pass++)
        {
            var supervised = h.Backend.Supervisions;
            await h.StepAsync();
            Assert.Equal(supervised + 1, h.Backend.Supervisions);
        }

        Assert.Single(h.Logger.Lines, l => l.Contains(Failed, StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logger.Messages, m => m.Contains("succeeds again", StringComparison.Ordinal));

        h.Backend.ThrowFromCheck(null);
        await h.StepAsync();
        Assert.Contains("reconcile pass succeeds again after: netlink answered garbage", h.Logger.Messages);
    }

    [Fact]
    public async Task Reconcile_DeviceCheckCannotRead_ReportedAsEventOnceAMinuteNotAsFailure()
    {
        await using var h = await StartAsync();
        h.Backend.ThrowFromCheck(new IOException("/proc/net/dev: permission denied"));

        await h.DeployReadyAsync(Sleeper());
        await h.StepAsync(TimeSpan.FromSeconds(30));
        await h.StepAsync(TimeSpan.FromSeconds(31));

        Assert.Equal(2, h.Events(EventKind.DeviceCheckFailed).Count);
        Assert.DoesNotContain(h.Logger.Lines, l => l.Contains(Failed, StringComparison.Ordinal));
        Assert.True(h.Backend.Checks > 3);
    }

    /// <summary>A crash after the failure began is restarted after its backoff: the loop still supervises.</summary>
    private static async Task CrashAndRestartAsync(LoopHarness h)
    {
        Assert.True(h.Runtime.Crash("sleeper", "w1"));
        await h.StepUntilAsync(() => h.Runtime.Starts.Count(s => s.Node == "w1") == 2, "w1 restarted");
        await h.StepUntilAsync(() => h.Workload("sleeper").Status == WorkloadStatus.Ready && h.Instances("sleeper")["w1"].State == InstanceState.Healthy, "ready again");
        Assert.Single(h.Events(EventKind.InstanceCrashed));
    }
}
