using System.CommandLine;
using GeoStage.Cli.Rendering;

namespace GeoStage.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var name = CommonOptions.Name();
        var output = CommonOptions.Output();
        var command = new Command("status", "Show an environment's sites, routers, tunnels (probed now) and nodes.")
        {
            name, output,
        };
        CliRun.Register(command, async (run, cancellationToken) =>
        {
            var state = run.ResolveEnvironment(run.Parse.GetValue(name));
            var actual = await run.Backend.ReadAsync(state, cancellationToken).ConfigureAwait(false);
            var view = StatusView.Build(state, actual);
            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(view);
            }
            else
            {
                StatusView.Print(view);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
