using System.CommandLine;
using GeoStage.Cli;
using GeoStage.Cli.Commands;
using GeoStage.Cli.Rendering;

Terminal.Configure();
using var signals = EarlySignals.Register();

var root = new RootCommand("GeoStage builds and operates staging environments of separated sites joined by a site-to-site VPN.")
{
    CommonOptions.Verbose,
};
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(ReachCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(ExecCommand.Create());
root.Subcommands.Add(WorkloadCommands.Serve());
root.Subcommands.Add(WorkloadCommands.Deploy());
root.Subcommands.Add(WorkloadCommands.Update());
root.Subcommands.Add(WorkloadCommands.Stop());
root.Subcommands.Add(WorkloadCommands.Scale());
root.Subcommands.Add(WorkloadCommands.Restart());
root.Subcommands.Add(ObserveCommands.Ps());
root.Subcommands.Add(ObserveCommands.Logs());
root.Subcommands.Add(ObserveCommands.Events());
root.Subcommands.Add(ObserveCommands.Node());
root.Subcommands.Add(ObserveCommands.Site());
root.Subcommands.Add(BalancerCommands.Lb());
root.Subcommands.Add(BalancerCommands.Run());
// Ctrl+C and SIGTERM cancel the command's token; up then rolls back what it created. Without a
// termination timeout System.CommandLine 2.0.0 ends the process at once and no rollback would run.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
var parse = root.Parse(args);

// A mistyped option of a command is one line, like every other error: the parser's default follows its
// message with the whole help text on stdout, where a script reading --output json does not expect it.
// Without a command at all, the help is what the user needs.
if (parse.Errors.Count > 0 && parse.CommandResult.Command != root)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    return ExitCodes.Failed;
}

return await parse.InvokeAsync(invocation).ConfigureAwait(false);
