using System.Net;
using GeoStage.Balancer.Election;
using GeoStage.Balancer.Replica;
using GeoStage.Core.Model;
using GeoStage.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace GeoStage.Balancer.Tests.Replica;

public sealed class BalancerReplicaTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task RunAsync_Leader_RefreshesBackendsEveryHealthIntervalNotBefore()
    {
        var interval = TimeSpan.FromSeconds(2);
        var backends = new CountingBackends();
        var replica = new BalancerReplica(Model(interval), "n1", new LeaseTable(_time), new RecordingVip(), backends, new WorkingDataPath(), _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = replica.RunAsync(stop.Token);
        try
        {
            await Wait.UntilAsync(() => replica.Report().Leader, s_timeout, "the only replica to lead");

            // One read warms the path up before the replica stands, one is the takeover's.
            Assert.Equal(2, backends.Reads);

            await StepAsync(interval - TimeSpan.FromMilliseconds(100));
            Assert.Equal(2, backends.Reads);

            await StepAsync(TimeSpan.FromMilliseconds(100));
            Assert.Equal(3, backends.Reads);
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreCancellationAsync(run);
        }
    }

    [Fact]
    public async Task RunAsync_Stopped_ReleasesTheVipBeforeTheLease()
    {
        var table = new LeaseTable(_time);
        var vip = new RecordingVip();
        var replica = new BalancerReplica(Model(TimeSpan.FromSeconds(1)), "n1", table, vip, new CountingBackends(), new WorkingDataPath(), _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = replica.RunAsync(stop.Token);
        await Wait.UntilAsync(() => replica.Report().Leader, s_timeout, "the only replica to lead");

        // While the VIP is being released, the lease must still be held: nobody else may take it yet.
        vip.OnRelease = () => vip.LeaseHeldAtRelease = table.AcquireOrRenew(BalancerReplica.LeaseName("front"), "n2", TimeSpan.FromSeconds(1)).Holder == "n1";
        await stop.CancelAsync();
        await IgnoreCancellationAsync(run);

        Assert.Equal(["take 1", "release 1"], vip.Calls);
        Assert.True(vip.LeaseHeldAtRelease);
        var after = table.AcquireOrRenew(BalancerReplica.LeaseName("front"), "n2", TimeSpan.FromSeconds(1));
        Assert.Equal("n2", after.Holder);
    }

    [Fact]
    public async Task RunAsync_FreshReplica_WarmsTheTakeoverPathBeforeStandingForElection()
    {
        var table = new LeaseTable(_time);
        var vip = new RecordingVip();
        var backends = new CountingBackends();
        var log = new ListLogger();
        var replica = new BalancerReplica(Model(TimeSpan.FromSeconds(1)), "n1", table, vip, backends, new WorkingDataPath(), _time, log);
        vip.OnWarmUp = () => (vip.LeaseFreeAtWarmUp, vip.ReadsAtWarmUp) = (table.Get(BalancerReplica.LeaseName("front")) is null, backends.Reads);
        using var stop = new CancellationTokenSource();
        var run = replica.RunAsync(stop.Token);
        try
        {
            await Wait.UntilAsync(() => replica.Report().Leader, s_timeout, "the only replica to lead");
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreCancellationAsync(run);
        }

        // Warmed once, before the lease was asked for; the VIP itself only taken once leading.
        Assert.Equal(1, vip.WarmUps);
        Assert.True(vip.LeaseFreeAtWarmUp);
        Assert.Equal(0, vip.ReadsAtWarmUp);
        Assert.Equal(["take 1", "release 1"], vip.Calls);
        Assert.Equal(["VIP tools", "backends", "proxy"], replica.WarmedUp.Select(s => s[..s.LastIndexOf(' ', s.LastIndexOf(' ') - 1)]));
        Assert.Contains(log.Messages, l => l.StartsWith("warmed the takeover path of front on n1 in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_DataPathFails_StepsDownAndReportsWhy()
    {
        var interval = TimeSpan.FromMilliseconds(500);
        var path = new WorkingDataPath();
        var vip = new RecordingVip();
        var replica = new BalancerReplica(Model(interval), "n1", new LeaseTable(_time), vip, new CountingBackends(), path, _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = replica.RunAsync(stop.Token);
        try
        {
            await Wait.UntilAsync(() => replica.Report().Leader, s_timeout, "the only replica to lead");
            Assert.Null(replica.Report().SteppedDown);

            path.Works = false;
            await StepAsync(interval - TimeSpan.FromMilliseconds(100));
            Assert.True(replica.Report().Leader);

            // The health check falls due in this step; stepping down leaves the replica one timer, not two.
            await _time.WaitForWaitersAsync(2);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Wait.UntilAsync(() => !replica.Report().Leader, s_timeout, "the replica to step down on its dead data path");

            Assert.Equal("its data path failed (the site's gateway stopped answering)", replica.Report().SteppedDown);
            Assert.Equal(["take 1", "release 1"], vip.Calls);
        }
        finally
        {
            await stop.CancelAsync();
            await IgnoreCancellationAsync(run);
        }

        Assert.Equal("its data path failed (the site's gateway stopped answering)", replica.Report().SteppedDown);
    }

    private static BalancerModel Model(TimeSpan healthInterval) => new()
    {
        Name = "front",
        Site = "a",
        Vip = IPAddress.Loopback,
        Replicas = new PlacementModel(),
        Listeners = [new ListenerModel(0, "web", 7000)],
        HealthInterval = healthInterval,
        LeaseTtl = TimeSpan.FromSeconds(1),
    };

    private static async Task IgnoreCancellationAsync(Task run)
    {
        try
        {
            await run.WaitAsync(s_timeout);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
    }

    /// <summary>
    /// Advances a leading replica's time in steps shorter than a lease renewal, each once the replica is
    /// parked on both its timers (lease renewal, health interval), and returns once it is parked again: what
    /// the test then sees is all that the time moved caused.
    /// </summary>
    private async Task StepAsync(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            await _time.WaitForWaitersAsync(2);
            _time.Advance(by - done < step ? by - done : step);
        }

        await _time.WaitForWaitersAsync(2);
    }

    private sealed class CountingBackends : IBackendSource
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Task<IReadOnlyList<IPEndPoint>> ReadAsync(string workload, int port, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return Task.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(IPAddress.Loopback, port)]);
        }
    }

    private sealed class RecordingVip : IVipHolder
    {
        public List<string> Calls { get; } = [];

        public Action? OnRelease { get; set; }

        public bool LeaseHeldAtRelease { get; set; }

        public Action? OnWarmUp { get; set; }

        public int WarmUps { get; private set; }

        public bool LeaseFreeAtWarmUp { get; set; }

        public int ReadsAtWarmUp { get; set; }

        public Task WarmUpAsync(CancellationToken cancellationToken)
        {
            OnWarmUp?.Invoke();
            WarmUps++;
            return Task.CompletedTask;
        }

        public Task TakeAsync(long term, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add($"take {term}");
            }

            return Task.CompletedTask;
        }

        public Task ReleaseAsync(long term, CancellationToken cancellationToken)
        {
            OnRelease?.Invoke();
            lock (Calls)
            {
                Calls.Add($"release {term}");
            }

            return Task.CompletedTask;
        }
    }

    private sealed class WorkingDataPath : IDataPath
    {
        public volatile bool Works = true;

        public Task<bool> WorksAsync(CancellationToken cancellationToken) => Task.FromResult(Works);
    }
}
