using GeoStage.Local.Probing;
using Xunit;

namespace GeoStage.Local.Tests;

public sealed class RetryScheduleTests
{
    private static readonly TimeSpan s_first = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(1);

    private static RetrySchedule Schedule(int targets, int limit = 0, int seed = 1) =>
        new([.. Enumerable.Repeat(limit, targets)], s_first, s_max, seed);

    private static List<int> SendAllDue(RetrySchedule schedule, TimeSpan now, Func<int, bool> answered)
    {
        var due = schedule.Due(now, answered, int.MaxValue);
        foreach (var target in due)
        {
            schedule.Sent(target, now);
        }

        return due;
    }

    [Fact]
    public void Due_FirstCall_EveryTargetOnceInAnOrderThatDiffersPerSource()
    {
        var one = Schedule(50, seed: 1);
        var other = Schedule(50, seed: 2);

        var due = one.Due(TimeSpan.Zero, _ => false, int.MaxValue);

        Assert.Equal(Enumerable.Range(0, 50), due.Order());
        Assert.NotEqual(one.Order, other.Order);
    }

    [Fact]
    public void Due_BeforeItsWaitIsOver_NothingIsSentAgain()
    {
        var schedule = Schedule(10);
        SendAllDue(schedule, TimeSpan.Zero, _ => false);

        var early = schedule.Due(TimeSpan.FromMilliseconds(249), _ => false, int.MaxValue);

        Assert.Empty(early);
    }

    [Fact]
    public void Due_AfterTheWait_OnlyTheUnansweredAreSentAgain()
    {
        var schedule = Schedule(10);
        SendAllDue(schedule, TimeSpan.Zero, _ => false);

        var again = schedule.Due(s_first, t => t % 2 == 0, int.MaxValue);

        Assert.Equal([1, 3, 5, 7, 9], again.Order());
    }

    [Fact]
    public void Sent_EachTargetOnItsOwnClock_ALateFirstSendIsNotRetriedEarly()
    {
        // A first round paced over a long time: a target first sent late is not due when an early one is.
        var schedule = Schedule(2);
        var first = schedule.Order[0];
        var second = schedule.Order[1];
        schedule.Sent(first, TimeSpan.Zero);
        schedule.Sent(second, TimeSpan.FromMilliseconds(200));

        var due = schedule.Due(TimeSpan.FromMilliseconds(300), _ => false, int.MaxValue);

        Assert.Equal([first], due);
    }

    [Fact]
    public void Wait_EachAttempt_DoublesUpToTheMaximum()
    {
        var schedule = Schedule(1);

        Assert.Equal(
            [250, 500, 1000, 1000],
            new[] { 1, 2, 3, 4 }.Select(a => schedule.Wait(a).TotalMilliseconds));
    }

    [Fact]
    public void Due_OutOfAttempts_NeverAgainAndNextDueIsTheLastReplyWait()
    {
        var schedule = Schedule(3, limit: 1);
        SendAllDue(schedule, TimeSpan.FromMilliseconds(10), _ => false);

        Assert.Empty(schedule.Due(TimeSpan.FromSeconds(5), _ => false, int.MaxValue));
        Assert.True(schedule.Done(_ => false));
        Assert.Equal(TimeSpan.FromMilliseconds(260), schedule.NextDue(_ => false));
        Assert.Null(schedule.NextDue(_ => true));
    }

    [Fact]
    public void Due_WithALimit_ContinuesWhereTheLastCallStopped()
    {
        var schedule = Schedule(6);

        var first = schedule.Due(TimeSpan.Zero, _ => false, 3);
        var second = schedule.Due(TimeSpan.Zero, _ => false, 3);

        Assert.Equal(3, first.Count);
        Assert.Empty(first.Intersect(second));
        Assert.Equal(Enumerable.Range(0, 6), first.Concat(second).Order());
    }

    [Fact]
    public void NextDue_Unanswered_IsTheEarliestRetry()
    {
        var schedule = Schedule(2);
        schedule.Sent(schedule.Order[0], TimeSpan.FromMilliseconds(100));
        schedule.Sent(schedule.Order[1], TimeSpan.Zero);

        Assert.Equal(s_first, schedule.NextDue(_ => false));
        Assert.False(schedule.Done(_ => false));
    }
}
