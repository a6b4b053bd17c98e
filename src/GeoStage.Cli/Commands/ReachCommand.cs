using System.CommandLine;
using GeoStage.Cli.Rendering;
using GeoStage.Core.Backends;

namespace GeoStage.Cli.Commands;

internal static class ReachCommand
{
    public static Command Create()
    {
        var name = CommonOptions.Name();
        var output = CommonOptions.Output();
        var withoutOverlay = new Option<bool>("--without-overlay")
        {
            Description = "Hold the overlay down while probing (tunnel routes taken out, then put back): the sites as they are without it.",
        };
        var matrix = new Option<bool>("--matrix") { Description = "Print the full matrix even for large environments." };
        var count = new Option<int>("--count", "-c") { Description = "Echo requests per pair.", DefaultValueFactory = _ => 3 }.Between(1, 100);
        var rate = new Option<double>("--rate") { Description = "Echo requests per second, all pairs together.", DefaultValueFactory = _ => 5000 }.Between(1, 1_000_000, "requests per second");
        var command = new Command("reach", "Probe every ordered pair of nodes now with ICMP echo from inside each node, and print the matrix.")
        {
            name, output, withoutOverlay, matrix, count, rate,
        };
        CliRun.Register(command, async (run, cancellationToken) =>
        {
            var state = run.ResolveEnvironment(run.Parse.GetValue(name));
            var overlay = !run.Parse.GetValue(withoutOverlay);
            var options = new MeasureOptions { Overlay = overlay, Count = run.Parse.GetValue(count), Rate = run.Parse.GetValue(rate) };
            var reach = await run.Backend.MeasureAsync(state, options, cancellationToken).ConfigureAwait(false);
            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(new { environment = reach.Environment, overlay = reach.Overlay, measuredAt = reach.MeasuredAt, reachable = reach.ReachableCount, total = reach.Total, pairs = reach.Pairs });
            }
            else
            {
                ReachView.Print(state.Model, reach, run.Parse.GetValue(matrix));
            }

            // Without the overlay unreachable pairs are the expected picture, not a failure.
            return reach.All || !overlay ? ExitCodes.Ok : ExitCodes.Unreachable;
        });
        return command;
    }
}
