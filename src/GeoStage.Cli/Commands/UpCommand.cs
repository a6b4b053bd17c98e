using System.CommandLine;
using GeoStage.Cli.Rendering;
using GeoStage.Control.Client;
using GeoStage.Control.Daemon;
using GeoStage.Core.Backends;
using GeoStage.Core.Diagnostics;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;

namespace GeoStage.Cli.Commands;

internal static class UpCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The topology file (YAML).",
            DefaultValueFactory = _ => "geostage.yaml",
        };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for every pair of nodes to reach each other through the overlay (default: 60, plus 1 for every 10,000 pairs).",
        }.Between(1, 86_400, "seconds");
        var noBefore = new Option<bool>("--skip-before") { Description = "Do not measure the matrix before the overlay starts." };
        var output = CommonOptions.Output();
        var command = new Command("up", "Validate a topology, build its sites and overlay, and wait until every node reaches every other.")
        {
            file, timeout, noBefore, output,
        };
        CliRun.Register(command, async (run, cancellationToken) =>
        {
            var path = run.Parse.GetValue(file)!;
            var json = run.Parse.GetValue(output) == "json";
            if (Directory.Exists(path))
            {
                return CliRun.Fail(ExitCodes.InvalidSpec, InputFiles.Problem(path, "a topology file")!);
            }

            var model = SpecValidator.LoadFile(path, new HostRoutes());
            using var held = run.Store.Lock(model.Name)
                ?? throw new EnvironmentConflictException($"another geostage command is working on environment '{model.Name}'; wait for it to finish");

            // Blocks rather than awaits, on purpose: it stands for the synchronous work before up's first
            // await, when only EarlySignals keeps a Ctrl+C from killing the process half-way.
            TestPause.AtAsync("up-locked", cancellationToken).GetAwaiter().GetResult();
            var options = new UpOptions
            {
                SpecFile = Path.GetFullPath(path),
                ReadyTimeout = run.Parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                MeasureBefore = !run.Parse.GetValue(noBefore),
            };
            var result = await Progress.RunAsync(
                $"up {model.Name}",
                json,
                progress => run.Backend.UpAsync(model, options, progress, cancellationToken)).ConfigureAwait(false);

            // Cut-over: up is complete once its daemon runs (or was tried). Until then a Ctrl+C or SIGTERM
            // removes the environment, recorded Up or not; after it nothing is rolled back and the message
            // says what runs. The daemon's launch itself is not cancelled: a daemon cut off while starting
            // would run on unrecorded, out of reach of the rollback.
            var daemon = false;
            try
            {
                await TestPause.AtAsync("up-recorded", cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                daemon = await StartDaemonAsync(run, model.Name).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                await RollBackAsync(run, model.Name, e).ConfigureAwait(false);
                throw;
            }

            try
            {
                await TestPause.AtAsync("up-complete", cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Reported below, with the result that is true all the same.
            }

            if (json)
            {
                CliRun.WriteJson(UpView.Json(result));
            }
            else
            {
                UpView.Print(result);
            }

            return cancellationToken.IsCancellationRequested ? LateCancel(result.State, daemon) : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Starts the control daemon; the environment is complete without it, so when it cannot start
    /// up says so and leaves the environment up for 'geostage serve' rather than tearing down a working overlay.</summary>
    private static async Task<bool> StartDaemonAsync(CliRun run, string name)
    {
        try
        {
            await DaemonLauncher.StartAsync(run.Store, name, TimeSpan.FromSeconds(20), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or DaemonNotRunningException)
        {
            Log.DaemonNotStarted(run.Logger, e.Message);
            return false;
        }
    }

    /// <summary>Removes an environment that was recorded Up before its daemon ran, daemon included (it
    /// records itself in the state, which is read again for that reason).</summary>
    private static async Task RollBackAsync(CliRun run, string name, OperationCanceledException cancel)
    {
        try
        {
            if (run.Store.Load(name) is { } state)
            {
                await run.Backend.DownAsync(state, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AggregateException($"cancelled, and removing environment '{name}' failed ({e.Message}); run 'geostage down --name {name}'", cancel, e);
        }
    }

    /// <summary>Ctrl+C after the cut-over: the environment stays, and the message says what runs and how to remove it.</summary>
    private static int LateCancel(EnvironmentState state, bool daemon)
    {
        var processes = state.Processes.Count + (daemon ? 1 : 0);
        var runs = $"{CliRun.Plural(state.Namespaces.Count, "namespace")} and {CliRun.Plural(processes, "process")}{(daemon ? " (its control daemon among them)" : ", without its control daemon")}";
        return CliRun.Fail(ExitCodes.Cancelled, $"{state.Name} is up: cancelled (Ctrl+C or SIGTERM) after it was complete, so nothing was rolled back; {runs} still run: remove it with 'geostage down --name {state.Name}'");
    }
}
