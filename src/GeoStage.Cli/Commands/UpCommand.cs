using System.CommandLine;
using GeoStage.Cli.Rendering;
using GeoStage.Control.Client;
using GeoStage.Control.Daemon;
using GeoStage.Core.Backends;
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
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for every pair of nodes to reach each other through the overlay.",
            DefaultValueFactory = _ => 60,
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
            var options = new UpOptions
            {
                SpecFile = Path.GetFullPath(path),
                ReadyTimeout = TimeSpan.FromSeconds(run.Parse.GetValue(timeout)),
                MeasureBefore = !run.Parse.GetValue(noBefore),
            };
            var result = await Progress.RunAsync(
                $"up {model.Name}",
                json,
                progress => run.Backend.UpAsync(model, options, progress, cancellationToken)).ConfigureAwait(false);

            // The environment is complete without its daemon; if that cannot start, up says so and leaves
            // the environment up for 'geostage serve' rather than tearing down a working overlay.
            try
            {
                await DaemonLauncher.StartAsync(run.Store, model.Name, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or DaemonNotRunningException)
            {
                Console.Error.WriteLine($"warning: the control daemon did not start: {e.Message}");
            }
            if (json)
            {
                CliRun.WriteJson(UpView.Json(result));
            }
            else
            {
                UpView.Print(result);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
