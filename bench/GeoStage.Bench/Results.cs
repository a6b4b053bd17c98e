namespace GeoStage.Bench;

internal sealed record BenchSettings
{
    public required int SeedRuns { get; init; }
    public required int GridRuns { get; init; }
    public required int MininetRuns { get; init; }
    public string? WritePath { get; init; }

    /// <summary>Fresh environments of the first-failover benchmark (0: none).</summary>
    public int FreshEnvironments { get; init; } = 5;
}

/// <summary>One geostage up → status → reach → down cycle. Null figures were not measured (the step failed or was skipped).</summary>
internal sealed record GeoStageRun
{
    public required int Index { get; init; }
    public required string Environment { get; init; }
    public double? UpWallSeconds { get; init; }
    public double? UpInsideSeconds { get; init; }
    public int? Sites { get; init; }
    public int? Nodes { get; init; }
    public int? Tunnels { get; init; }
    public int? Reachable { get; init; }
    public int? Total { get; init; }
    public long? UpPeakRssKb { get; init; }
    public ProcessMemory? OpenVpn { get; init; }
    public double? ReachWallSeconds { get; init; }
    public double? DownWallSeconds { get; init; }

    /// <summary>Why the run counts as failed; empty when it did not.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Figures of an ok run that were left out, and why.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Ok => Failures.Count == 0;
}

internal sealed record GeoStageResult(string Title, string Source, IReadOnlyList<GeoStageRun> Runs);

/// <summary>One <c>mn --test pingall</c>. Wall covers mn's whole life: build, pingall, stop.</summary>
internal sealed record MininetRun
{
    public required int Hosts { get; init; }
    public required int Index { get; init; }
    public double? WallSeconds { get; init; }
    public double? CompletedInSeconds { get; init; }
    public int? DroppedPercent { get; init; }
    public int? Received { get; init; }
    public int? Sent { get; init; }
    public IReadOnlyList<string> LeftoverLinksDeleted { get; init; } = [];
    public string? Failure { get; init; }

    public bool Ok => Failure is null;
}

internal sealed record MininetResult(string? Version, string? NotRun, IReadOnlyList<MininetRun> Runs);

/// <summary>Median, min and max of the figures that were measured.</summary>
internal readonly record struct Spread(double Median, double Min, double Max, int Count)
{
    public static Spread? Of(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Count);
    }
}
