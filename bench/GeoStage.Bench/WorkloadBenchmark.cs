namespace GeoStage.Bench;

/// <summary>Everything one run of the workload benchmark found, for the report.</summary>
internal sealed record WorkloadReport(
    MachineInfo Machine,
    (string Before, string After) Load,
    Spread? CliStartup,
    string? P2pNotRun,
    WorkloadTopologyResult Seed,
    WorkloadTopologyResult Grid,
    IReadOnlyList<string> LeftoverNamespaces)
{
    public bool AllOk => Seed.AllOk && Grid.AllOk && P2pNotRun is null && LeftoverNamespaces.Count == 0;
}

/// <summary>
/// The workload benchmark end to end: machine facts, CLI start-up, the P2P app built if needed, the
/// seed (light workload, P2P app, node joins) and the grid (light workload), a check that nothing is
/// left, then the report.
/// </summary>
internal static class WorkloadBenchmark
{
    private const int StartupSamples = 5;

    public static Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        BenchRun.RunAsync(Environments, (context, ct) => MeasureAsync(settings, context, ct), cancellationToken);

    private static IReadOnlyList<string> Environments(string runId) => [$"bench-wl-seed-{runId}", $"bench-wl-grid-{runId}"];

    private static async Task<int> MeasureAsync(BenchSettings settings, BenchContext context, CancellationToken cancellationToken)
    {
        var (repo, runId, work) = context;
        var specs = Directory.CreateDirectory(Path.Combine(work, "specs")).FullName;
        var state = Directory.CreateDirectory(Path.Combine(work, "state")).FullName;
        var cli = new GeoStageCli(repo, state);
        var machine = await MachineInfo.ReadAsync(TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var loadBefore = MachineInfo.LoadAverage();
        var (cliRuns, startup) = await cli.TimeStartupAsync(StartupSamples, cancellationToken).ConfigureAwait(false);
        if (!cliRuns)
        {
            return BenchRun.CannotRun;
        }

        var (p2pFile, p2pNotRun) = await BuildP2pAsync(repo, cancellationToken).ConfigureAwait(false);
        var bench = new WorkloadBench(cli, specs, state);
        var seedRuns = settings.SeedRuns;
        var seed = await bench.RunAsync(
            new WorkloadPlan("seed", Topologies.Seed(repo, Environments(runId)[0]), seedRuns, p2pFile, Joins: seedRuns, JoinSite: "b"), cancellationToken).ConfigureAwait(false);
        var grid = await bench.RunAsync(
            new WorkloadPlan("grid", Topologies.Grid(Environments(runId)[1], sites: 10, perSite: 10), settings.GridRuns, P2pFile: null, Joins: 0, JoinSite: "s0"), cancellationToken).ConfigureAwait(false);

        var leftovers = await BenchRun.OwnNamespacesAsync(Environments(runId), cancellationToken).ConfigureAwait(false);
        var report = new WorkloadReport(machine, (loadBefore, MachineInfo.LoadAverage()), startup, seedRuns > 0 ? p2pNotRun : null, seed, grid, leftovers);
        var markdown = WorkloadMarkdown.Render(report);
        Console.Out.Write(markdown);
        if (settings.WritePath is { } path)
        {
            BenchmarksFile.WriteSection(path, WorkloadMarkdown.SectionId, markdown);
            Console.Error.WriteLine($"wrote the section '{WorkloadMarkdown.SectionId}' into {path}");
        }

        return report.AllOk ? BenchRun.Ok : BenchRun.Failed;
    }

    /// <summary>
    /// examples/p2p.yaml runs examples/p2p/bin/P2pNode.dll: built here (untimed, as its header says) when
    /// missing or older than its sources. Returns the file to deploy, or why the P2P runs are left out.
    /// </summary>
    private static async Task<(string? File, string? NotRun)> BuildP2pAsync(string repo, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repo, "examples", "p2p");
        var dll = new FileInfo(Path.Combine(project, "bin", "P2pNode.dll"));
        var sources = Directory.EnumerateFiles(project, "*.cs").Append(Path.Combine(project, "P2pNode.csproj"));
        if (!dll.Exists || sources.Any(s => File.GetLastWriteTimeUtc(s) > dll.LastWriteTimeUtc))
        {
            Console.Error.WriteLine("examples/p2p: building (dotnet build examples/p2p -c Release -o examples/p2p/bin)…");
            var build = await ChildProcess.RunAsync("dotnet", ["build", project, "-c", "Release", "-o", Path.Combine(project, "bin"), "-nologo", "-v", "q"], TimeSpan.FromMinutes(5), null, cancellationToken).ConfigureAwait(false);
            if (!build.Ok)
            {
                return (null, $"not run: building examples/p2p failed: {build.Failure}");
            }
        }

        return (Path.Combine(repo, "examples", "p2p.yaml"), null);
    }
}
