using System.CommandLine;
using GeoStage.Core.Processes;
using GeoStage.Local.Namespaces;

namespace GeoStage.Cli.Commands;

internal static class ExecCommand
{
    public static Command Create()
    {
        var node = new Argument<string>("NODE") { Description = "A node, or SITE-gw for a site's router." };
        var commandLine = new Argument<string[]>("COMMAND") { Description = "The command to run inside the node's namespace.", Arity = ArgumentArity.OneOrMore };
        var name = CommonOptions.Name();
        var command = new Command("exec", "Run a command inside a node's (or router's) network namespace, e.g. geostage exec node01 -- ping 192.168.10.101.")
        {
            node, commandLine, name,
        };
        CliRun.Register(command, async (run, cancellationToken) =>
        {
            var state = run.ResolveEnvironment(run.Parse.GetValue(name));
            var target = run.Parse.GetValue(node)!;
            var model = state.Model;
            var ns = model.Nodes.Any(n => n.Name == target) ? LocalNames.Node(model.Name, target)
                : target.EndsWith("-gw", StringComparison.Ordinal) && model.Sites.Any(s => s.Name == target[..^3]) ? LocalNames.Router(model.Name, target[..^3])
                : throw new NotFoundException($"no node '{target}' in {model.Name}; nodes: {string.Join(", ", model.Nodes.Select(n => n.Name))}; routers: {string.Join(", ", model.Sites.Select(s => s.Name + "-gw"))}");
            using var process = ExternalProgram.Start(ExternalProgram.StartInfo("nsenter", [$"--net={Ip.PathOf(ns)}", "--", .. run.Parse.GetValue(commandLine)!]));
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        });
        return command;
    }
}
