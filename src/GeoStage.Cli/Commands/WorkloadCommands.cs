using System.CommandLine;
using GeoStage.Control.Api;
using GeoStage.Control.Daemon;
using GeoStage.Core.Specs;

namespace GeoStage.Cli.Commands;

/// <summary>deploy/apply, update, stop, scale, restart: changes sent to the daemon, then waited on.</summary>
internal static class WorkloadCommands
{
    public static Command Deploy()
    {
        var file = new Argument<string>("FILE") { Description = "A file with a 'workloads' list (the topology file may hold it too)." };
        var (name, output, timeout, noWait) = (CommonOptions.Name(), CommonOptions.Output(), Timeout(), NoWait());
        var command = new Command("deploy", "Start the file's workloads on every node their placement selects, or roll out what changed; report when all are healthy.")
        {
            file, name, output, timeout, noWait,
        };
        command.Aliases.Add("apply");
        CliRun.Register(command, async (run, ct) =>
        {
            var path = run.Parse.GetValue(file)!;
            if (InputFiles.Problem(path, "a workload file") is { } problem)
            {
                return CliRun.Fail(ExitCodes.InvalidSpec, problem);
            }

            using var client = run.Client(run.Parse.GetValue(name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var applied = await client.PostAsync<ApplyResponse>("v1/workloads/apply", new ApplyRequest(Path.GetFullPath(path), SpecFile.Read(path)), ct).ConfigureAwait(false);
            return await FinishAsync(run, clock, client, [.. applied.Workloads.Keys], applied.Generations ?? new Dictionary<string, long>(), Rollouts.Goal.Ready, output, timeout, noWait, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Update()
    {
        var workload = Workload();
        var version = new Option<string?>("--version") { Description = "The new version (also available to args as {{workload.version}})." };
        var program = new Option<string?>("--command") { Description = "A new program to run." };
        var args = new Option<string[]>("--arg") { Description = "The new args, one --arg each (replaces all args).", AllowMultipleArgumentsPerToken = false };
        var env = new Option<string[]>("--env") { Description = "KEY=VALUE to set (others are kept)." };
        var (name, output, timeout, noWait) = (CommonOptions.Name(), CommonOptions.Output(), Timeout(), NoWait());
        var command = new Command("update", "Roll out a new version, command, args or env: site by site, each instance gated on its health check; a failure rolls back.")
        {
            workload, version, program, args, env, name, output, timeout, noWait,
        };
        CliRun.Register(command, async (run, ct) =>
        {
            var pairs = KeyValues.EnvironmentVariables("--env", run.Parse.GetValue(env) ?? []);
            var request = new UpdateRequest(
                run.Parse.GetValue(version),
                run.Parse.GetValue(program),
                run.Parse.GetValue(args) is { Length: > 0 } a ? a : null,
                pairs.Count == 0 ? null : pairs);
            using var client = run.Client(run.Parse.GetValue(name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var target = run.Parse.GetValue(workload)!;
            var accepted = await client.PostAsync<WorkloadView>($"v1/workloads/{target}/update", request, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(output) != "json" && accepted is { Status: "progressing", Message: { } note })
            {
                // Which spec the update built on, when it was not the current one (a rollout not yet healthy).
                Console.Error.WriteLine($"note: {target}: {note}");
            }

            return await FinishAsync(run, clock, client, [target], new Dictionary<string, long> { [target] = accepted.Generation }, Rollouts.Goal.Ready, output, timeout, noWait, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Stop()
    {
        var workload = Workload();
        var (name, output, timeout, noWait) = (CommonOptions.Name(), CommonOptions.Output(), Timeout(), NoWait());
        var command = new Command("stop", "Stop a workload on every node.") { workload, name, output, timeout, noWait };
        CliRun.Register(command, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var target = run.Parse.GetValue(workload)!;
            await client.PostAsync<WorkloadView>($"v1/workloads/{target}/stop", new { }, ct).ConfigureAwait(false);
            return await FinishAsync(run, clock, client, [target], new Dictionary<string, long>(), Rollouts.Goal.Stopped, output, timeout, noWait, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Scale()
    {
        var workload = Workload();
        var all = new Option<bool>("--all") { Description = "Every node." };
        var perSite = new Option<int?>("--per-site") { Description = "At most N nodes per site." }.Between(1, 10_000);
        var sites = new Option<string[]>("--site") { Description = "Only nodes of this site (repeatable)." };
        var nodes = new Option<string[]>("--node") { Description = "Only this node (repeatable)." };
        var labels = new Option<string[]>("--label") { Description = "Only nodes with KEY=VALUE (repeatable)." };
        var (name, output, timeout, noWait) = (CommonOptions.Name(), CommonOptions.Output(), Timeout(), NoWait());
        var command = new Command("scale", "Change where a workload runs: instances start on newly selected nodes and stop on dropped ones; the others keep running.")
        {
            workload, all, perSite, sites, nodes, labels, name, output, timeout, noWait,
        };
        CliRun.Register(command, async (run, ct) =>
        {
            var pairs = KeyValues.Labels("--label", run.Parse.GetValue(labels) ?? []);
            var request = new ScaleRequest(
                run.Parse.GetValue(all),
                run.Parse.GetValue(perSite),
                run.Parse.GetValue(sites) is { Length: > 0 } s ? s : null,
                run.Parse.GetValue(nodes) is { Length: > 0 } n ? n : null,
                pairs.Count == 0 ? null : pairs);
            using var client = run.Client(run.Parse.GetValue(name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var target = run.Parse.GetValue(workload)!;
            await client.PostAsync<WorkloadView>($"v1/workloads/{target}/scale", request, ct).ConfigureAwait(false);

            // A scale makes no generation of its own: it waits for whatever generation is current to be ready.
            return await FinishAsync(run, clock, client, [target], new Dictionary<string, long>(), Rollouts.Goal.Ready, output, timeout, noWait, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Restart()
    {
        var workload = Workload();
        var node = new Option<string?>("--node") { Description = "Restart only the instance on this node (at once); without it, a rolling restart of all." };
        var (name, output, timeout, noWait) = (CommonOptions.Name(), CommonOptions.Output(), Timeout(), NoWait());
        var command = new Command("restart", "Restart a workload's instances.") { workload, node, name, output, timeout, noWait };
        CliRun.Register(command, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var target = run.Parse.GetValue(workload)!;
            var restarted = await client.PostAsync<WorkloadView>($"v1/workloads/{target}/restart", new RestartRequest(run.Parse.GetValue(node)), ct).ConfigureAwait(false);
            return await FinishAsync(run, clock, client, [target], new Dictionary<string, long> { [target] = restarted.Generation }, Rollouts.Goal.Ready, output, timeout, noWait, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Serve()
    {
        var name = CommonOptions.Name();
        // The global --verbose (stack traces on errors) also makes the daemon log at Debug.
        var command = new Command("serve", "Run an environment's control daemon in the foreground (up starts one in the background).") { name };
        CliRun.Register(command, async (run, ct) =>
        {
            var env = run.ResolveEnvironment(run.Parse.GetValue(name)).Name;
            await ControlDaemon.RunAsync(run.Store, env, state => Places.Of(run.Store, state), run.Parse.GetValue(CommonOptions.Verbose), socket => Console.Error.WriteLine($"geostage: control daemon of {env} listening on {socket}"), ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Waits (unless --no-wait) and reports; <paramref name="clock"/> started before the request was sent.
    /// <paramref name="generations"/>: the generations the request made, so that a later change superseding
    /// one is reported as such (exit <see cref="ExitCodes.Superseded"/>), never as this change's result.
    /// </summary>
    private static async Task<int> FinishAsync(CliRun run, System.Diagnostics.Stopwatch clock, Control.Client.ControlClient client, IReadOnlyCollection<string> names, IReadOnlyDictionary<string, long> generations, Rollouts.Goal goal, Option<string> output, Option<double> timeout, Option<bool> noWait, CancellationToken ct)
    {
        var json = run.Parse.GetValue(output) == "json";
        var outcome = run.Parse.GetValue(noWait)
            ? new Rollouts.Outcome([.. (await client.GetAsync<List<WorkloadView>>("v1/workloads", ct).ConfigureAwait(false)).Where(w => names.Contains(w.Name))], [])
            : await Rollouts.WaitAsync(client, names, generations, goal, TimeSpan.FromSeconds(run.Parse.GetValue(timeout)), json, DateTimeOffset.UtcNow - clock.Elapsed, ct).ConfigureAwait(false);
        var superseded = outcome.Superseded;
        if (json)
        {
            CliRun.WriteJson(new { seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), workloads = outcome.Views, superseded = superseded.Count == 0 ? null : superseded });
        }
        else
        {
            foreach (var view in outcome.Views)
            {
                // A generation that ended before the wait did is reported as itself, never as what replaced it.
                var ended = outcome.Ended.FirstOrDefault(e => e.Workload == view.Name);
                if (ended is { Outcome: "superseded" })
                {
                    continue;
                }

                Console.Out.WriteLine(goal == Rollouts.Goal.Stopped
                    ? $"{view.Name}: stopped in {clock.Elapsed.TotalSeconds:0.00} s"
                    : ended is not null ? $"{view.Name}: version {ended.Version} ready, then replaced by version {view.Version} (generation {view.Generation}), in {clock.Elapsed.TotalSeconds:0.00} s"
                    : $"{view.Name}: version {view.Version} {view.Status}, {view.Healthy}/{view.Instances} healthy, in {clock.Elapsed.TotalSeconds:0.00} s");
            }
        }

        foreach (var lost in superseded)
        {
            Console.Error.WriteLine($"error: {lost.Workload}: {lost.Message}");
        }

        return superseded.Count > 0 ? ExitCodes.Superseded : ExitCodes.Ok;
    }

    private static Argument<string> Workload() => new("WORKLOAD") { Description = "The workload's name." };

    private static Option<double> Timeout() => new Option<double>("--timeout") { Description = "Seconds to wait for the change to settle.", DefaultValueFactory = _ => 120 }.Between(1, 86_400, "seconds");

    private static Option<bool> NoWait() => new("--no-wait") { Description = "Return once the daemon accepted the change." };
}
