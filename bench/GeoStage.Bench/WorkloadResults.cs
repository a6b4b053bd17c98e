namespace GeoStage.Bench;

/// <summary>
/// One timed workload command: the wall time of the CLI process (null when it failed, or when the
/// launcher rebuilt the CLI first) and the <c>seconds</c> it reported itself (null when it failed).
/// </summary>
internal sealed record Timed(double? WallSeconds, double? Seconds);

/// <summary>deploy → update → stop of one workload. Failures say why the run does not count.</summary>
internal sealed record CycleRun
{
    public required int Index { get; init; }
    public Timed? Deploy { get; init; }
    public Timed? Update { get; init; }
    public Timed? Stop { get; init; }

    /// <summary>The daemon's memory right after the deploy, with the workload on every node.</summary>
    public DaemonMemory? Memory { get; init; }

    public IReadOnlyList<string> Failures { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
    public bool Ok => Failures.Count == 0;
}

/// <summary>One <c>node add</c> and the <c>node remove</c> after it.</summary>
internal sealed record JoinRun
{
    public required int Index { get; init; }
    public required string Node { get; init; }
    public double? AddWallSeconds { get; init; }
    public double? ReachableSeconds { get; init; }
    public double? TotalSeconds { get; init; }
    public int? Instances { get; init; }
    public double? RemoveWallSeconds { get; init; }
    public IReadOnlyList<string> Failures { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
    public bool Ok => Failures.Count == 0;
}

/// <summary>The daemon process of an environment, as /proc/PID/status tells it: resident now and at its peak.</summary>
internal sealed record DaemonMemory(int Pid, long RssKb, long HwmKb);

/// <summary>A workload a cycle deploys: from which file, under which name, and whether the daemon's memory is sampled with it running.</summary>
internal sealed record WorkloadUnderTest(string Title, string File, string Name, bool SampleMemory);

/// <summary>What was asked of one topology: the light workload N times, optionally the P2P app and node joins.</summary>
internal sealed record WorkloadPlan(string Title, Topology Topology, int Runs, string? P2pFile, int Joins, string JoinSite);

/// <summary>Everything measured on one topology's environment, brought up once for all its runs.</summary>
internal sealed record WorkloadTopologyResult
{
    public required WorkloadPlan Plan { get; init; }
    public int? Sites { get; init; }
    public int? Nodes { get; init; }
    public IReadOnlyList<CycleRun> Sleeper { get; init; } = [];
    public IReadOnlyList<CycleRun> P2p { get; init; } = [];
    public IReadOnlyList<JoinRun> Joins { get; init; } = [];

    /// <summary>Failures outside the runs: up, down, the setup of the joins.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    public bool AllOk => Failures.Count == 0 && Sleeper.Concat(P2p).All(r => r.Ok) && Joins.All(j => j.Ok);
}
