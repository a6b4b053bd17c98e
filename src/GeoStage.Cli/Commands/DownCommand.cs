using System.CommandLine;
using System.Diagnostics;
using GeoStage.Control.Daemon;
using GeoStage.Core.Specs;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;

namespace GeoStage.Cli.Commands;

internal static class DownCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE") { Description = "The topology file whose environment to remove.", Arity = ArgumentArity.ZeroOrOne };
        var name = CommonOptions.Name();
        var all = new Option<bool>("--all") { Description = "Remove every environment." };
        var command = new Command("down", "Remove an environment: its processes, namespaces, links and state. Safe to repeat.")
        {
            file, name, all,
        };
        CliRun.Register(command, async (run, cancellationToken) =>
        {
            var names = Targets(run, run.Parse.GetValue(file), run.Parse.GetValue(name), run.Parse.GetValue(all));
            foreach (var env in names)
            {
                using var held = run.Store.Lock(env)
                    ?? throw new EnvironmentConflictException($"another geostage command is working on environment '{env}'; wait for it to finish");
                if (run.Store.Load(env) is not { } state)
                {
                    run.Store.Delete(env);
                    Console.Out.WriteLine($"{env}: not up; nothing to remove");
                    continue;
                }

                var clock = Stopwatch.StartNew();

                // The daemon goes first and none may start until the state is gone; read the state again
                // after, for what a daemon started meanwhile recorded.
                using (await Removal.StopDaemonAndHoldAsync(run.Store, env, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
                {
                    state = run.Store.Load(env) ?? state;
                    await run.Backend.DownAsync(state, cancellationToken).ConfigureAwait(false);
                }

                Console.Out.WriteLine($"{env}: removed {CliRun.Plural(state.Namespaces.Count, "namespace")} and {CliRun.Plural(state.Processes.Count, "process")} in {clock.Elapsed.TotalSeconds:0.00} s");
            }

            if (names.Count == 0)
            {
                Console.Out.WriteLine("no environment is up; nothing to remove");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IReadOnlyList<string> Targets(CliRun run, string? file, string? name, bool all)
    {
        if (all)
        {
            return run.Store.List();
        }

        if (file is not null)
        {
            if (InputFiles.Problem(file, "a topology file, or --name") is { } unreadable)
            {
                throw new UsageException(unreadable);
            }

            // Only the name is needed: a file that no longer validates can still be taken down.
            var document = SpecReader.Read(SpecFile.Read(file), file);
            if (document.Spec is not { Name.Length: > 0 } spec)
            {
                // No name because the file could not be read (too large, too deep): say why, not only that.
                throw document.Errors.Count > 0 ? new SpecException(document.Errors) : new NotFoundException($"{file} names no environment; use --name");
            }

            // The name becomes a path that down removes: one that is no DNS-1123 label is refused here.
            if (Names.Check(spec.Name) is { } problem)
            {
                var at = document.Map.Find("name");
                throw new SpecException([new SpecError(file, at.Line, at.Column, "name", problem)]);
            }

            return [spec.Name];
        }

        if (name is not null)
        {
            StateStore.CheckName(name);
            return [name];
        }

        return run.Store.List() switch
        {
            [] => [],
            [var only] => [only],
            var many => throw new NotFoundException($"{many.Count} environments exist ({string.Join(", ", many)}); pick one with --name, or --all"),
        };
    }
}
