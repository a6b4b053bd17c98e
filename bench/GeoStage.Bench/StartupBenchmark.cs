namespace GeoStage.Bench;

/// <summary>
/// The start-up benchmark end to end: machine facts, CLI start-up, the seed and the grid through
/// geostage, Mininet as the reference, a check that nothing is left, then the report.
/// </summary>
internal static class StartupBenchmark
{
    private const int StartupSamples = 5;

    public static Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        BenchRun.RunAsync(Environments, (context, ct) => MeasureAsync(settings, context, ct), cancellationToken);

    /// <summary>Every environment of a run: bench-seed-ID-N and bench-grid-ID-N.</summary>
    private static IReadOnlyList<string> Environments(string runId) => [$"bench-seed-{runId}-", $"bench-grid-{runId}-"];

    private static async Task<int> MeasureAsync(BenchSettings settings, BenchContext context, CancellationToken cancellationToken)
    {
        var (repo, runId, work) = context;
        var specs = Directory.CreateDirectory(Path.Combine(work, "specs")).FullName;
        var cli = new GeoStageCli(repo, Directory.CreateDirectory(Path.Combine(work, "state")).FullName);
        var machine = await MachineInfo.ReadAsync(TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var loadBefore = MachineInfo.LoadAverage();

        var (cliRuns, startup) = await cli.TimeStartupAsync(StartupSamples, cancellationToken).ConfigureAwait(false);
        if (!cliRuns)
        {
            return BenchRun.CannotRun;
        }

        var bench = new EnvironmentBench(cli, specs);
        var seed = await bench.RunAsync(
            "seed", i => Topologies.Seed(repo, $"bench-seed-{runId}-{i}"), settings.SeedRuns, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        var grid = await bench.RunAsync(
            "grid", i => Topologies.Grid($"bench-grid-{runId}-{i}", sites: 10, perSite: 10), settings.GridRuns, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        var mininet = await MininetBench.RunAsync([8, 100], settings.MininetRuns, cancellationToken).ConfigureAwait(false);

        var leftovers = await BenchRun.OwnNamespacesAsync(Environments(runId), cancellationToken).ConfigureAwait(false);
        var report = new BenchReport(machine, (loadBefore, MachineInfo.LoadAverage()), startup, seed, grid, mininet, leftovers);
        var markdown = MarkdownReport.Render(report);
        Console.Out.Write(markdown);
        if (settings.WritePath is { } path)
        {
            BenchmarksFile.WriteSection(path, MarkdownReport.SectionId, markdown);
            Console.Error.WriteLine($"wrote the section '{MarkdownReport.SectionId}' into {path}");
        }

        return report.AllOk ? BenchRun.Ok : BenchRun.Failed;
    }
}
