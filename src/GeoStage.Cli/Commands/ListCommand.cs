using System.CommandLine;
using Spectre.Console;

namespace GeoStage.Cli.Commands;

internal static class ListCommand
{
    public static Command Create()
    {
        var output = CommonOptions.Output();
        var command = new Command("list", "List the environments on this machine.") { output };
        command.Aliases.Add("ls");
        CliRun.Register(command, (run, _) =>
        {
            var states = run.Store.List().Select(run.Store.Load).OfType<Core.State.EnvironmentState>().ToList();
            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(states.Select(s => new { name = s.Name, phase = s.Phase, sites = s.Model.Sites.Count, nodes = s.Model.Nodes.Count, specFile = s.SpecFile, readyAt = s.ReadyAt }));
                return Task.FromResult(ExitCodes.Ok);
            }

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("environment", "phase", "sites", "nodes", "spec");

            foreach (var s in states)
            {
                table.AddRow(Markup.Escape(s.Name), s.Phase.ToString().ToLowerInvariant(), $"{s.Model.Sites.Count}", $"{s.Model.Nodes.Count}", Markup.Escape(s.SpecFile ?? ""));
            }

            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
