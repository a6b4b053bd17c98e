using GeoStage.Core.Processes;
using System.Collections.Concurrent;
using System.Net;
using GeoStage.Control.Balancers;
using GeoStage.Local.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>The balancer's onLeader / onFollower hooks, run as real processes (sh scripts), no root needed.</summary>
public sealed class HookRunnerTests : IDisposable
{
    private static readonly IPAddress s_vip = IPAddress.Parse("10.91.0.200");
    private readonly TempState _temp = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Enqueue_SlowFirstHook_RunsHooksOneAfterAnotherInQueuedOrder()
    {
        var output = Path.Combine(_temp.Root, "order");
        var script = Script("order.sh", $"""
            [ "$1" = first ] && sleep 0.5
            echo "$1 start" >> {output}
            [ "$1" = first ] && sleep 0.3
            echo "$1 end" >> {output}
            """);
        await using (var hooks = Runner())
        {
            hooks.Enqueue(HookRole.Leader, [script, "first"], 3);
            hooks.Enqueue(HookRole.Follower, [script, "second"], 3);
            hooks.Enqueue(HookRole.Leader, [script, "third"], 5);
        }

        Assert.Equal(["first start", "first end", "second start", "second end", "third start", "third end"], File.ReadAllLines(output));
    }

    [Fact]
    public async Task Enqueue_Hook_GetsVipNodeTermAppendedAndTheEnvironment()
    {
        var output = Path.Combine(_temp.Root, "args");
        var script = Script("args.sh", $"""
            printf '%s\n' "$@" > {output}
            echo "vip=$GEOSTAGE_VIP node=$GEOSTAGE_NODE term=$GEOSTAGE_TERM role=$GEOSTAGE_ROLE balancer=$GEOSTAGE_BALANCER" >> {output}
            """);
        await using (var hooks = Runner())
        {
            hooks.Enqueue(HookRole.Follower, [script, "two words", "x"], 7);
        }

        Assert.Equal(
            ["two words", "x", "10.91.0.200", "e1", "7", "vip=10.91.0.200 node=e1 term=7 role=follower balancer=front"],
            File.ReadAllLines(output));
        var line = Assert.Single(_log.Messages);
        Assert.StartsWith($"hook follower term 7: {script} two words x 10.91.0.200 e1 7: exited 0 after ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_HookOutlivesItsTimeout_KilledWithTheProcessesOfItsGroup()
    {
        var (pidFile, orphanFile) = (Path.Combine(_temp.Root, "pid"), Path.Combine(_temp.Root, "orphan"));

        // The subshell exits at once: its background sleep is no child of the hook any more, only in its group.
        var script = Script("hang.sh", $"""
            echo $$ > {pidFile}
            (sleep 60 & echo $! > {orphanFile})
            sleep 60
            """);
        var pids = new List<int>();
        try
        {
            await using (var hooks = Runner(TimeSpan.FromMilliseconds(500)))
            {
                hooks.Enqueue(HookRole.Leader, [script], 2);
                await Wait.UntilAsync(() => File.Exists(orphanFile) && File.ReadAllText(orphanFile).EndsWith('\n'), TimeSpan.FromSeconds(10), "the hook to start its processes");
                pids.Add(int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture));
                pids.Add(int.Parse(File.ReadAllText(orphanFile), System.Globalization.CultureInfo.InvariantCulture));
            }

            await Wait.UntilAsync(() => pids.All(p => ProcTable.StartTicks(p) is null), TimeSpan.FromSeconds(10), "the hook and its orphaned child to be gone");
            var line = Assert.Single(_log.Messages);
            Assert.StartsWith($"hook leader term 2: {script} 10.91.0.200 e1 2: timed out after 0.5 s: killed", line, StringComparison.Ordinal);
        }
        finally
        {
            // The hook leads the group: whatever of it a failed test left is ended here.
            if (pids.Count > 0 && pids.Any(p => ProcTable.StartTicks(p) is not null))
            {
                HostProcesses.KillGroup(pids[0]);
            }
        }
    }

    [Fact]
    public async Task Enqueue_MissingCommand_LogsCouldNotStartAndRunsTheNextHook()
    {
        var output = Path.Combine(_temp.Root, "next");
        var script = Script("next.sh", $"echo ran > {output}");
        await using (var hooks = Runner())
        {
            hooks.Enqueue(HookRole.Leader, ["/nonexistent/move-ip"], 4);
            hooks.Enqueue(HookRole.Leader, ["no-such-hook-on-path"], 4);
            hooks.Enqueue(HookRole.Follower, [script], 4);
        }

        Assert.Equal(
            [
                "hook leader term 4: /nonexistent/move-ip 10.91.0.200 e1 4: could not start: No such file or directory",
                "hook leader term 4: no-such-hook-on-path 10.91.0.200 e1 4: could not start: No such file or directory",
            ],
            _log.Messages.Take(2));
        Assert.Equal("ran", File.ReadAllText(output).Trim());
    }

    [Fact]
    public async Task Enqueue_FailingHook_LogsItsExitCodeAndLastLineOfOutput()
    {
        var script = Script("fail.sh", """
            echo "moving the IP"
            echo "error: first" >&2
            echo "error: quota exceeded" >&2
            exit 3
            """);
        await using (var hooks = Runner())
        {
            hooks.Enqueue(HookRole.Leader, [script], 9);
        }

        var line = Assert.Single(_log.Messages);
        Assert.Matches(@"^hook leader term 9: .*fail\.sh 10\.91\.0\.200 e1 9: exited 3 after \d+ ms: error: quota exceeded$", line);
    }

    [Fact]
    public async Task Enqueue_SlowHook_ReturnsAtOnceAndDisposeWaitsForTheHook()
    {
        var output = Path.Combine(_temp.Root, "done");
        var script = Script("slow.sh", $"sleep 0.5; echo done > {output}");
        await using (var hooks = Runner())
        {
            hooks.Enqueue(HookRole.Follower, [script], 1);
            Assert.False(File.Exists(output), "Enqueue waited for the hook");
        }

        Assert.Equal("done", File.ReadAllText(output).Trim());
        Assert.Contains("exited 0", Assert.Single(_log.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_DeadlinePasses_KillsTheRunningHookAndSkipsTheQueued()
    {
        var pidFile = Path.Combine(_temp.Root, "pid");
        var script = Script("hang.sh", $"echo $$ > {pidFile}; exec sleep 60");
        var pid = 0;
        try
        {
            await using var hooks = Runner();
            hooks.Enqueue(HookRole.Leader, [script], 1);
            hooks.Enqueue(HookRole.Follower, [script], 1);
            await Wait.UntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(10), "the first hook to start");
            pid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await hooks.StopAsync(deadline.Token);
            hooks.Enqueue(HookRole.Leader, [script], 2);

            Assert.Null(ProcTable.StartTicks(pid));
            Assert.Equal(3, _log.Messages.Count);
            Assert.Matches(@"^hook leader term 1: .* killed after \d+ ms: the balancer is stopping$", _log.Messages[0]);
            Assert.EndsWith("hook follower term 1: " + script + " 10.91.0.200 e1 1: not run, the balancer is stopping", _log.Messages[1], StringComparison.Ordinal);
            Assert.EndsWith("hook leader term 2: " + script + " 10.91.0.200 e1 2: not run, the balancer is stopping", _log.Messages[2], StringComparison.Ordinal);
        }
        finally
        {
            if (pid > 0 && ProcTable.StartTicks(pid) is not null)
            {
                HostProcesses.KillGroup(pid);
            }
        }
    }

    private HookRunner Runner(TimeSpan? timeout = null) =>
        new("front", s_vip, "e1", timeout ?? TimeSpan.FromSeconds(30), _log);

    private string Script(string name, string body)
    {
        var path = Path.Combine(_temp.Root, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
