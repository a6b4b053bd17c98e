namespace GeoStage.Bench;

/// <summary>What a benchmark is given: the repository, an id that marks what this run creates, and a private work directory.</summary>
internal sealed record BenchContext(string Repo, string RunId, string Work);

/// <summary>
/// What every benchmark does around its measurements: checks root and the repository, gives the run a
/// private work directory (with the GeoStage state inside), turns Ctrl+C into an exit code, and removes
/// the directory afterwards unless namespaces of the run are left, so that 'down --all' still finds them.
/// </summary>
internal static class BenchRun
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int CannotRun = 2;
    public const int NotRoot = 5;
    public const int Cancelled = 130;

    /// <param name="environments">The environment names of the run start with one of these, given its run id.</param>
    /// <param name="measure">The benchmark: 0 when every run succeeded, <see cref="Failed"/> when some did.</param>
    public static async Task<int> RunAsync(
        Func<string, IReadOnlyList<string>> environments,
        Func<BenchContext, CancellationToken, Task<int>> measure,
        CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("error: the benchmark creates network namespaces through geostage; run it as root (sudo dotnet run …)");
            return NotRoot;
        }

        if (FindRepository() is not { } repo)
        {
            Console.Error.WriteLine("error: no GeoStage.slnx here or above; run the benchmark from the repository");
            return CannotRun;
        }

        // Environment names carry a run id, so that what this run created is told apart from anyone else's.
        var runId = Guid.NewGuid().ToString("N")[..4];
        var work = Directory.CreateTempSubdirectory("geostage-bench-");
        try
        {
            return await measure(new BenchContext(repo, runId, work.FullName), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled: the run under way was killed and its environment taken down; no report written");
            return Cancelled;
        }
        finally
        {
            // Each run took its environment down already; the state stays only if that failed, for 'down --all'.
            if ((await OwnNamespacesAsync(environments(runId), CancellationToken.None).ConfigureAwait(false)).Count == 0)
            {
                work.Delete(recursive: true);
            }
            else
            {
                Console.Error.WriteLine($"namespaces left: GEOSTAGE_STATE_DIR={work.FullName}/state ./geostage down --all removes them");
            }
        }
    }

    /// <summary>Namespaces in <c>ip netns list</c> of environments whose names start with one of <paramref name="environments"/>.</summary>
    public static async Task<IReadOnlyList<string>> OwnNamespacesAsync(IReadOnlyList<string> environments, CancellationToken cancellationToken)
    {
        var list = await ChildProcess.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(30), null, cancellationToken).ConfigureAwait(false);
        return list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => environments.Any(e => ns.StartsWith("gs_" + e, StringComparison.Ordinal)))
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
