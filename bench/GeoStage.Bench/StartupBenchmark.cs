namespace GeoStage.Bench;

/// <summary>
/// The start-up benchmark end to end: machine facts, CLI start-up, the seed and the grid through
/// geostage, Mininet as the reference, a check that nothing is left, then the report.
/// </summary>
internal static class StartupBenchmark
{
    private const int Failed = 1;
    private const int NotRoot = 5;
    private const int Cancelled = 130;
    private const int StartupSamples = 5;

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("error: the benchmark creates network namespaces through geostage; run it as root (sudo dotnet run …)");
            return NotRoot;
        }

        if (FindRepository() is not { } repo)
        {
            Console.Error.WriteLine("error: no GeoStage.slnx here or above; run the benchmark from the repository");
            return Failed;
        }

        // Environment names carry a run id, so that what this run created is told apart from anyone else's.
        var runId = Guid.NewGuid().ToString("N")[..4];
        var work = Directory.CreateTempSubdirectory("geostage-bench-");
        try
        {
            return await MeasureAsync(settings, repo, runId, work.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled: the run under way was killed and its environment taken down; no report written");
            return Cancelled;
        }
        finally
        {
            // Each run took its environment down already; the state stays only if that failed, for 'down --all'.
            if ((await OwnNamespacesAsync(runId, CancellationToken.None).ConfigureAwait(false)).Count == 0)
            {
                work.Delete(recursive: true);
            }
            else
            {
                Console.Error.WriteLine($"namespaces left: GEOSTAGE_STATE_DIR={work.FullName}/state ./geostage down --all removes them");
            }
        }
    }

    private static async Task<int> MeasureAsync(BenchSettings settings, string repo, string runId, string work, CancellationToken cancellationToken)
    {
        var specs = Directory.CreateDirectory(Path.Combine(work, "specs")).FullName;
        var cli = new GeoStageCli(repo, Directory.CreateDirectory(Path.Combine(work, "state")).FullName);
        var machine = await MachineInfo.ReadAsync(TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var loadBefore = MachineInfo.LoadAverage();

        // The first call builds the CLI when its sources changed; it is not timed.
        Console.Error.WriteLine("geostage: building if needed, then timing CLI start-up…");
        var warmUp = await cli.ListAsync(cancellationToken).ConfigureAwait(false);
        if (!warmUp.Ok)
        {
            Console.Error.Write(warmUp.Stderr);
            Console.Error.WriteLine($"error: {warmUp.Failure}");
            return Failed;
        }

        var startup = new List<double?>();
        for (var i = 0; i < StartupSamples; i++)
        {
            var list = await cli.ListAsync(cancellationToken).ConfigureAwait(false);
            startup.Add(list.Ok && !list.Rebuilt ? list.Wall.TotalSeconds : null);
        }

        var bench = new EnvironmentBench(cli, specs);
        var seed = await bench.RunAsync(
            "seed", i => Topologies.Seed(repo, $"bench-seed-{runId}-{i}"), settings.SeedRuns, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        var grid = await bench.RunAsync(
            "grid", i => Topologies.Grid($"bench-grid-{runId}-{i}", sites: 10, perSite: 10), settings.GridRuns, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        var mininet = await MininetBench.RunAsync([8, 100], settings.MininetRuns, cancellationToken).ConfigureAwait(false);

        var leftovers = await OwnNamespacesAsync(runId, cancellationToken).ConfigureAwait(false);
        var report = new BenchReport(machine, (loadBefore, MachineInfo.LoadAverage()), Spread.Of(startup), seed, grid, mininet, leftovers);
        var markdown = MarkdownReport.Render(report);
        Console.Out.Write(markdown);
        if (settings.WritePath is { } path)
        {
            BenchmarksFile.WriteSection(path, MarkdownReport.SectionId, markdown);
            Console.Error.WriteLine($"wrote the section '{MarkdownReport.SectionId}' into {path}");
        }

        return report.AllOk ? 0 : Failed;
    }

    /// <summary>Namespaces of this run's environments (gs_bench-seed-ID-N, gs_bench-grid-ID-N_…) in <c>ip netns list</c>.</summary>
    private static async Task<IReadOnlyList<string>> OwnNamespacesAsync(string runId, CancellationToken cancellationToken)
    {
        string[] prefixes = [$"gs_bench-seed-{runId}-", $"gs_bench-grid-{runId}-"];
        var list = await ChildProcess.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(30), null, cancellationToken).ConfigureAwait(false);
        return list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => prefixes.Any(p => ns.StartsWith(p, StringComparison.Ordinal)))
            .ToList();
    }

    private static string? FindRepository()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "GeoStage.slnx")) && File.Exists(Path.Combine(dir.FullName, "geostage")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
