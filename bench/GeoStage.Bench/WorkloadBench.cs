using System.Globalization;
using System.Text.Json;

namespace GeoStage.Bench;

/// <summary>
/// One topology's workload measurements: brings its environment up once, runs deploy → update → stop of
/// the light workload N times, then the same with the P2P app, then node joins with the light workload
/// deployed. The environment is taken down whatever happens; a failed run is recorded and the next one
/// starts from a stopped workload.
/// </summary>
internal sealed class WorkloadBench(GeoStageCli cli, string specDirectory, string stateDirectory)
{
    public const string Sleeper = "sleeper";
    public const string P2p = "chain";

    public async Task<WorkloadTopologyResult> RunAsync(WorkloadPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Runs < 1)
        {
            return new WorkloadTopologyResult { Plan = plan };
        }

        var file = Path.Combine(specDirectory, plan.Topology.Name + ".yaml");
        await File.WriteAllTextAsync(file, plan.Topology.Yaml, cancellationToken).ConfigureAwait(false);
        var failures = new List<string>();
        var result = new WorkloadTopologyResult { Plan = plan };
        try
        {
            result = await MeasureAsync(result, file, failures, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Always, also after a failed up or a Ctrl+C: down is safe to repeat and ends the workloads too.
            var down = await cli.DownAsync(plan.Topology.Name, CancellationToken.None).ConfigureAwait(false);
            if (!down.Ok)
            {
                failures.Add(down.Failure);
            }
        }

        return result with { Failures = failures };
    }

    private async Task<WorkloadTopologyResult> MeasureAsync(WorkloadTopologyResult result, string file, List<string> failures, CancellationToken cancellationToken)
    {
        var (plan, env) = (result.Plan, result.Plan.Topology.Name);
        Console.Error.WriteLine($"[{plan.Title}] geostage up {env}…");
        var (up, _) = await cli.UpAsync(file, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        if (!up.Ok)
        {
            failures.Add(up.Failure);
            return result;
        }

        if (Shape(up.Stdout) is not { } shape)
        {
            failures.Add($"could not read the JSON of up: {Head(up.Stdout)}");
            return result;
        }

        var nodes = shape.Nodes;
        result = result with { Sites = shape.Sites, Nodes = nodes };
        var sleeper = new WorkloadUnderTest($"{plan.Title} {Sleeper}", Path.Combine(specDirectory, $"{env}-{Sleeper}.yaml"), Sleeper, SampleMemory: true);
        await File.WriteAllTextAsync(sleeper.File, SleeperYaml(nodes), cancellationToken).ConfigureAwait(false);
        var light = new List<CycleRun>();
        for (var i = 1; i <= plan.Runs; i++)
        {
            light.Add(await CycleAsync(env, sleeper, i, plan.Runs, nodes, cancellationToken).ConfigureAwait(false));
        }

        var p2p = new List<CycleRun>();
        var app = plan.P2pFile is null ? null : new WorkloadUnderTest($"{plan.Title} p2p", plan.P2pFile, P2p, SampleMemory: false);
        for (var i = 1; app is not null && i <= plan.Runs; i++)
        {
            p2p.Add(await CycleAsync(env, app, i, plan.Runs, nodes, cancellationToken).ConfigureAwait(false));
        }

        var joins = plan.Joins > 0 ? await JoinsAsync(plan, sleeper.File, nodes, failures, cancellationToken).ConfigureAwait(false) : [];
        return result with { Sleeper = light, P2p = p2p, Joins = joins };
    }

    /// <summary>
    /// The light workload: no health check, so an instance counts as healthy once alive for 250 ms; a
    /// budget of every node, so that no policy holds the rollout back.
    /// </summary>
    private static string SleeperYaml(int nodes) => string.Create(CultureInfo.InvariantCulture, $"""
        workloads:
          - name: {Sleeper}
            command: /bin/sleep
            args: ["3600"]
            rollout:
              maxUnavailable: {nodes}

        """);

    private async Task<CycleRun> CycleAsync(string env, WorkloadUnderTest workload, int index, int runs, int nodes, CancellationToken cancellationToken)
    {
        var (failures, notes, name, title) = (new List<string>(), new List<string>(), workload.Name, workload.Title);
        var deploy = Read(await cli.DeployAsync(env, workload.File, cancellationToken).ConfigureAwait(false), name, nodes, "1", failures, notes);
        var memory = deploy.Seconds is not null && workload.SampleMemory ? DaemonProcess.Memory(env, stateDirectory) : null;
        if (deploy.Seconds is not null && workload.SampleMemory && memory is null)
        {
            failures.Add($"no process `geostage serve --name {env}` with GEOSTAGE_STATE_DIR={stateDirectory} found in /proc");
        }

        var update = deploy.Seconds is null ? null
            : Read(await cli.UpdateAsync(env, name, "2", cancellationToken).ConfigureAwait(false), name, nodes, "2", failures, notes);

        // Stopped even after a failed deploy, so that the next run starts from nothing running.
        var stop = Read(await cli.StopAsync(env, name, cancellationToken).ConfigureAwait(false), name, 0, null, failures, notes);
        var run = new CycleRun { Index = index, Deploy = deploy, Update = update, Stop = stop, Memory = memory, Failures = failures, Notes = notes };
        Console.Error.WriteLine(run.Ok
            ? $"[{title} {index}/{runs}] deploy {Describe(deploy)}; update {Describe(update)}; stop {Describe(stop)}"
                + (memory is null ? "" : $"; daemon RSS {memory.RssKb / 1024.0:0.0} MiB")
            : $"[{title} {index}/{runs}] FAILED: {string.Join("; ", failures)}");
        return run;
    }

    private async Task<IReadOnlyList<JoinRun>> JoinsAsync(WorkloadPlan plan, string sleeper, int nodes, List<string> failures, CancellationToken cancellationToken)
    {
        var env = plan.Topology.Name;
        var setup = new List<string>();
        var deployed = Read(await cli.DeployAsync(env, sleeper, cancellationToken).ConfigureAwait(false), Sleeper, nodes, "1", setup, []);
        var joins = new List<JoinRun>();
        for (var i = 1; deployed.Seconds is not null && i <= plan.Joins; i++)
        {
            // The seed's workers are node01 to node04: the joining nodes continue the series.
            var join = await JoinAsync(env, plan.JoinSite, $"node{i + 4:00}", i, cancellationToken).ConfigureAwait(false);
            joins.Add(join);
            Console.Error.WriteLine(join.Ok
                ? $"[{plan.Title} join {i}/{plan.Joins}] {join.Node}: total {join.TotalSeconds:0.000} s, reachable {join.ReachableSeconds:0.000} s, wall {join.AddWallSeconds:0.00} s; remove {join.RemoveWallSeconds:0.00} s"
                : $"[{plan.Title} join {i}/{plan.Joins}] FAILED: {string.Join("; ", join.Failures)}");
        }

        Read(await cli.StopAsync(env, Sleeper, cancellationToken).ConfigureAwait(false), Sleeper, 0, null, setup, []);
        failures.AddRange(setup.Select(f => $"around the joins: {f}"));
        return joins;
    }

    private async Task<JoinRun> JoinAsync(string env, string site, string node, int index, CancellationToken cancellationToken)
    {
        var (failures, notes) = (new List<string>(), new List<string>());
        var add = await cli.NodeAddAsync(env, site, node, cancellationToken).ConfigureAwait(false);
        var run = new JoinRun { Index = index, Node = node, AddWallSeconds = WallOf(add, failures, notes) };
        if (add.Ok)
        {
            run = ReadJoin(run, add.Stdout, failures);
        }

        // Also after a failed add, which may have added the node before it failed; "no such node" (4) is then no error.
        var remove = await cli.NodeRemoveAsync(env, node, cancellationToken).ConfigureAwait(false);
        var removed = WallOf(remove, add.Ok || remove.ExitCode != 4 ? failures : [], notes);
        return run with { RemoveWallSeconds = removed, Failures = failures, Notes = notes };
    }

    /// <summary>sites and nodes of <c>up --output json</c> (shape in src/GeoStage.Cli/Rendering/UpView.cs).</summary>
    private static (int Sites, int Nodes)? Shape(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return (document.RootElement.GetProperty("sites").GetInt32(), document.RootElement.GetProperty("nodes").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The fields of NodeAdded (src/GeoStage.Control/Api/Contracts.cs); the node must run the one workload deployed.</summary>
    private static JoinRun ReadJoin(JoinRun run, string json, List<string> failures)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            run = run with
            {
                ReachableSeconds = root.GetProperty("reachableSeconds").GetDouble(),
                TotalSeconds = root.GetProperty("totalSeconds").GetDouble(),
                Instances = root.GetProperty("instances").GetInt32(),
            };
            if (run.Instances != 1)
            {
                failures.Add($"`node add` reported {run.Instances} instances on {run.Node}; expected 1 ({Sleeper})");
            }

            return run;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            failures.Add($"could not read the JSON of `node add` ({e.Message}): {Head(json)}");
            return run;
        }
    }

    /// <summary>
    /// A deploy, update or stop: its wall time, the <c>seconds</c> it printed, and whether the workload
    /// ended as asked: every one of <paramref name="instances"/> healthy at <paramref name="version"/>, or
    /// none left when <paramref name="version"/> is null.
    /// </summary>
    private static Timed Read(ChildResult result, string workload, int instances, string? version, List<string> failures, List<string> notes)
    {
        var wall = WallOf(result, failures, notes);
        if (!result.Ok)
        {
            return new Timed(null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(result.Stdout);
            var seconds = document.RootElement.GetProperty("seconds").GetDouble();
            var view = document.RootElement.GetProperty("workloads").EnumerateArray().FirstOrDefault(w => w.GetProperty("name").GetString() == workload);
            if (Mismatch(view, instances, version) is { } problem)
            {
                failures.Add($"`{result.Command}` {problem}");
            }

            return new Timed(wall, seconds);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            failures.Add($"could not read the JSON of `{result.Command}` ({e.Message}): {Head(result.Stdout)}");
            return new Timed(wall, null);
        }
    }

    private static string? Mismatch(JsonElement view, int instances, string? version)
    {
        if (view.ValueKind != JsonValueKind.Object)
        {
            return "did not report the workload";
        }

        var (count, healthy) = (view.GetProperty("instances").GetInt32(), view.GetProperty("healthy").GetInt32());
        var (status, current) = (view.GetProperty("status").GetString(), view.GetProperty("version").GetString());
        var versions = string.Join(", ", view.GetProperty("versions").EnumerateObject().Select(v => $"{v.Value} at version {v.Name}"));
        var ok = version is null
            ? count == 0
            : count == instances && healthy == instances && status == "ready" && current == version && view.GetProperty("versions").EnumerateObject().All(v => v.Name == version);
        return ok ? null : $"ended with version {current} {status}, {healthy}/{count} instances healthy ({versions}); expected {(version is null ? "none" : $"{instances} at version {version}")}";
    }

    /// <summary>The wall time of a command that succeeded and ran the CLI as built; why not, otherwise.</summary>
    private static double? WallOf(ChildResult result, List<string> failures, List<string> notes)
    {
        if (!result.Ok)
        {
            failures.Add(result.Failure);
            return null;
        }

        if (result.Rebuilt)
        {
            notes.Add($"the launcher rebuilt the CLI before `{result.Command}` (src/ changed meanwhile): its wall time includes a build and is left out");
            return null;
        }

        return result.Wall.TotalSeconds;
    }

    private static string Describe(Timed? step) =>
        step is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{step.WallSeconds:0.00} s wall ({step.Seconds:0.000} s)");

    private static string Head(string text) => text.Trim()[..Math.Min(200, text.Trim().Length)];
}
