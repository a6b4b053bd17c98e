using System.Text.Json;

namespace GeoStage.Bench;

/// <summary>
/// Brings one topology up and down N times through the CLI, one environment at a time, and reads what
/// each step reports. Whatever happens to a run, its environment is taken down before the next starts.
/// </summary>
internal sealed class EnvironmentBench(GeoStageCli cli, string specDirectory)
{
    public async Task<GeoStageResult> RunAsync(string title, Func<int, Topology> topology, int runs, TimeSpan upTimeout, CancellationToken cancellationToken)
    {
        var results = new List<GeoStageRun>();
        for (var index = 1; index <= runs; index++)
        {
            var spec = topology(index);
            var run = await RunOnceAsync(index, spec, upTimeout, cancellationToken).ConfigureAwait(false);
            results.Add(run);
            Console.Error.WriteLine($"[{title} {index}/{runs}] {Describe(run)}");
        }

        return new GeoStageResult(title, topology(0).Source, results);
    }

    private async Task<GeoStageRun> RunOnceAsync(int index, Topology topology, TimeSpan upTimeout, CancellationToken cancellationToken)
    {
        var file = Path.Combine(specDirectory, topology.Name + ".yaml");
        await File.WriteAllTextAsync(file, topology.Yaml, cancellationToken).ConfigureAwait(false);
        var failures = new List<string>();
        var notes = new List<string>();
        var run = new GeoStageRun { Index = index, Environment = topology.Name };
        ChildResult down;
        try
        {
            run = await UpAndInspectAsync(run, file, upTimeout, failures, notes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Always, also after a failed or killed up: down is safe to repeat and removes leftovers.
            down = await cli.DownAsync(topology.Name, CancellationToken.None).ConfigureAwait(false);
        }

        if (!down.Ok)
        {
            failures.Add(down.Failure);
        }
        else if (down.Rebuilt)
        {
            notes.Add(RebuiltNote("down"));
        }

        return run with
        {
            DownWallSeconds = down.Ok && !down.Rebuilt && run.UpInsideSeconds is not null ? down.Wall.TotalSeconds : null,
            Failures = failures,
            Notes = notes,
        };
    }

    private async Task<GeoStageRun> UpAndInspectAsync(GeoStageRun run, string file, TimeSpan upTimeout, List<string> failures, List<string> notes, CancellationToken cancellationToken)
    {
        var (up, peakRss) = await cli.UpAsync(file, upTimeout, cancellationToken).ConfigureAwait(false);
        run = run with { UpWallSeconds = up.Rebuilt ? null : up.Wall.TotalSeconds, UpPeakRssKb = up.Rebuilt ? null : peakRss };
        if (!up.Ok)
        {
            failures.Add(up.Failure);
            return run;
        }

        if (up.Rebuilt)
        {
            notes.Add(RebuiltNote("up"));
        }

        run = ReadUp(run, up.Stdout, failures);
        if (run.Reachable != run.Total)
        {
            failures.Add($"up reported {run.Reachable}/{run.Total} pairs reachable");
        }

        var status = await cli.StatusAsync(run.Environment, cancellationToken).ConfigureAwait(false);
        if (status.Ok)
        {
            run = run with { OpenVpn = ProcMemory.Sum(TunnelPids(status.Stdout)) };
        }
        else
        {
            failures.Add(status.Failure);
        }

        // The check alone, on an environment already up: what up's own all-pairs wait costs at least.
        var reach = await cli.ReachAsync(run.Environment, cancellationToken).ConfigureAwait(false);
        if (!reach.Ok)
        {
            failures.Add(reach.Failure);
        }
        else if (reach.Rebuilt)
        {
            notes.Add(RebuiltNote("reach"));
        }

        return run with { ReachWallSeconds = reach.Ok && !reach.Rebuilt ? reach.Wall.TotalSeconds : null };
    }

    /// <summary>The fields of <c>up --output json</c> the report uses (shape in src/GeoStage.Cli/Rendering/UpView.cs).</summary>
    private static GeoStageRun ReadUp(GeoStageRun run, string json, List<string> failures)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var after = root.GetProperty("after");
            return run with
            {
                UpInsideSeconds = root.GetProperty("elapsedSeconds").GetDouble(),
                Sites = root.GetProperty("sites").GetInt32(),
                Nodes = root.GetProperty("nodes").GetInt32(),
                Tunnels = root.GetProperty("tunnels").GetInt32(),
                Reachable = after.GetProperty("reachable").GetInt32(),
                Total = after.GetProperty("total").GetInt32(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            failures.Add($"could not read the JSON of up ({e.Message}): {json.Trim()[..Math.Min(200, json.Trim().Length)]}");
            return run;
        }
    }

    /// <summary>sites[].tunnels[].pid of <c>status --output json</c>: one OpenVPN process per tunnel end.</summary>
    private static List<int> TunnelPids(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("sites").EnumerateArray()
            .SelectMany(site => site.GetProperty("tunnels").EnumerateArray())
            .Select(tunnel => tunnel.GetProperty("pid"))
            .Where(pid => pid.ValueKind == JsonValueKind.Number)
            .Select(pid => pid.GetInt32())
            .ToList();
    }

    private static string RebuiltNote(string verb) =>
        $"the launcher rebuilt the CLI before `{verb}` (src/ changed during the benchmark): that wall figure includes a build and is left out";

    private static string Describe(GeoStageRun run) => run.Ok
        ? $"up {run.UpWallSeconds:0.00} s wall ({run.UpInsideSeconds:0.00} s inside), {run.Reachable}/{run.Total} pairs; reach {run.ReachWallSeconds:0.00} s; down {run.DownWallSeconds:0.00} s"
            + string.Concat(run.Notes.Select(n => "; " + n))
        : $"FAILED: {string.Join("; ", run.Failures)}";
}
