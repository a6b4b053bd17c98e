using System.Diagnostics;
using GeoStage.Cli.Rendering;
using Microsoft.Extensions.Logging;
using System.CommandLine;
using System.ComponentModel;
using System.Text.Json;
using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;
using GeoStage.Local.Processes;

namespace GeoStage.Cli.Commands;

/// <summary>What every command shares: the store, the backend, root checks, and turning failures into
/// one-line errors with a named exit code.</summary>
internal sealed class CliRun
{
    private CliRun(ParseResult parse, ILogger logger)
    {
        Parse = parse;
        Logger = logger;
        Store = StateStore.FromEnvironment();
        Backend = new LocalBackend(Store, TimeProvider.System);
    }

    public ParseResult Parse { get; }
    public StateStore Store { get; }
    public LocalBackend Backend { get; }

    /// <summary>Warnings always, debug lines with --verbose; to stderr.</summary>
    public ILogger Logger { get; }

    public static void Register(Command command, Func<CliRun, CancellationToken, Task<int>> action, bool needsRoot = true) =>
        command.SetAction(async (parse, invocationToken) =>
        {
            // Also cancelled by a signal that came before System.CommandLine's own handling was in place.
            using var signalled = CancellationTokenSource.CreateLinkedTokenSource(invocationToken, EarlySignals.Token);
            var cancellationToken = signalled.Token;
            var verbose = parse.GetValue(CommonOptions.Verbose);
            var run = new CliRun(parse, new StderrLogger(verbose ? LogLevel.Debug : LogLevel.Warning));
            var clock = Stopwatch.StartNew();
            var code = await RunAsync(command, run, action, needsRoot, cancellationToken).ConfigureAwait(false);
            Log.CommandFinished(run.Logger, command.Name, code, clock.Elapsed.TotalMilliseconds);
            return code;
        });

    private static async Task<int> RunAsync(Command command, CliRun run, Func<CliRun, CancellationToken, Task<int>> action, bool needsRoot, CancellationToken cancellationToken)
    {
        try
        {
            if (needsRoot && !LocalHost.IsRoot)
            {
                return Fail(ExitCodes.NotRoot, $"geostage {command.Name} needs root: it manages network namespaces; run it with sudo");
            }

            cancellationToken.ThrowIfCancellationRequested();
            return await action(run, cancellationToken).ConfigureAwait(false);
        }
        catch (SpecException e)
        {
            foreach (var error in e.Errors)
            {
                Console.Error.WriteLine(error);
            }

            if (e.Errors.Count == 0)
            {
                Console.Error.WriteLine(e.Message);
            }

            Console.Error.WriteLine($"error: the topology file has {Plural(e.Errors.Count, "error")}; nothing was changed");
            return ExitCodes.InvalidSpec;
        }
        catch (InvalidEnvironmentNameException e)
        {
            return Fail(ExitCodes.InvalidSpec, $"{e.Message}; nothing was changed");
        }
        catch (ForeignStateDirectoryException e)
        {
            return Fail(ExitCodes.Conflict, $"{e.Message}; nothing was changed");
        }
        catch (EnvironmentConflictException e)
        {
            return Fail(ExitCodes.Conflict, e.Message);
        }
        catch (NotFoundException e)
        {
            return Fail(ExitCodes.NotFound, e.Message);
        }
        catch (Control.Client.ControlRequestException e)
        {
            foreach (var error in e.Errors)
            {
                Console.Error.WriteLine(error);
            }

            return Fail(e.Status == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound : e.Errors.Count > 0 ? ExitCodes.InvalidSpec : ExitCodes.Failed, e.Message);
        }
        catch (Control.Client.DaemonNotRunningException e)
        {
            return Fail(ExitCodes.Failed, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Cancelled, command.Name == "up" ? "cancelled; what was begun has been rolled back" : "cancelled");
        }
        catch (Exception e) when (e is ToolException or TimeoutException or IOException or UnauthorizedAccessException or Win32Exception or InvalidOperationException or AggregateException or JsonException)
        {
            Log.CommandFailed(run.Logger, command.Name, e);
            return Fail(ExitCodes.Failed, e.Message);
        }
    }

    public static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    public static string Plural(int count, string noun) =>
        count == 1 ? $"1 {noun}" : $"{count} {noun}{(noun.EndsWith('s') ? "es" : "s")}";

    /// <summary>The environment named, or the only one there is.</summary>
    public EnvironmentState ResolveEnvironment(string? name)
    {
        if (name is not null)
        {
            StateStore.CheckName(name);
            return Store.Load(name) ?? throw new NotFoundException($"no environment named '{name}'; 'geostage list' shows those that exist");
        }

        var all = Store.List();
        return all.Count switch
        {
            0 => throw new NotFoundException("no environment is up; start one with 'geostage up FILE'"),
            1 => Store.Load(all[0]) ?? throw new NotFoundException($"environment '{all[0]}' vanished while reading it"),
            _ => throw new NotFoundException($"{all.Count} environments exist ({string.Join(", ", all)}); pick one with --name"),
        };
    }

    /// <summary>A client of the daemon of the environment named, or of the only one there is.</summary>
    public Control.Client.ControlClient Client(string? name) => new(Store, ResolveEnvironment(name).Name);

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, StateJson.Options));
}

internal sealed class NotFoundException : InvalidOperationException
{
    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException()
    {
    }

    public NotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
