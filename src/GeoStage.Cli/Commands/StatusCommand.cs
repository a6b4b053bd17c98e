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
                CliRun.WriteJson(view with { Balancers = await BalancersAsync(run, state.Name, cancellationToken).ConfigureAwait(false) });
            }
            else
            {
                StatusView.Print(view);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The balancers as lb status shows them, or null when the daemon does not answer (status works without it).</summary>
    private static async Task<IReadOnlyList<Control.Api.BalancerView>?> BalancersAsync(CliRun run, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new Control.Client.ControlClient(run.Store, name, TimeSpan.FromSeconds(2));
            return await client.GetAsync<List<Control.Api.BalancerView>>("v1/balancers", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Control.Client.DaemonNotRunningException or Control.Client.ControlRequestException)
        {
            return null;
        }
    }
}
