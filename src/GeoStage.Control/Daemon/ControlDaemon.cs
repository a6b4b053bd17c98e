using GeoStage.Core.Processes;
using GeoStage.Control.Api;
using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using GeoStage.Core.State;
using GeoStage.Core.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoStage.Control.Daemon;

/// <summary>
/// One environment's control daemon: the control loop and its API on ENV_DIR/control.sock (mode 0600,
/// root only). It records itself in the environment's processes so that down ends it first, and it
/// leaves workloads running when it stops: a restarted daemon adopts them.
/// </summary>
public static class ControlDaemon
{
    public const string SocketName = "control.sock";
    public const string Role = "daemon";

    /// <summary>
    /// The largest request body: a spec file at its bound, even if JSON escaping made every byte six
    /// (\u0000), and some room for the rest of the request. Larger ones are refused unread (413).
    /// </summary>
    public const long MaxRequestBytes = 6L * Core.Specs.SpecLimits.MaxFileBytes + 64 * 1024;

    public static string SocketPath(StateStore states, string name) => Path.Combine(states.DirectoryOf(name), SocketName);

    /// <param name="place">Where the environment runs: the backend and runtime the CLI chose for it.</param>
    /// <param name="verbose">Log at Debug (and ASP.NET Core's own lines at Information) rather than Information.</param>
    public static async Task RunAsync(StateStore states, string name, Func<EnvironmentState, Place> place, bool verbose, Action<string> ready, CancellationToken cancellationToken)
    {
        // 'geostage serve' run by hand inherits the shell's umask (often 022), unlike the daemon up starts.
        HostProcesses.KeepNewFilesPrivate();
        var dir = states.DirectoryOf(name);
        var held = TakeLock(states, name, dir)
            ?? throw new InvalidOperationException(Removal.Refusal(states, name) ?? $"a control daemon of '{name}' is already running; 'geostage status' shows its pid");
        await using var lockHeld = held;

        // Down marks the environment before it takes the lock: a daemon that got the lock first leaves.
        if (Removal.Refusal(states, name) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        var state = states.Load(name) ?? throw new InvalidOperationException($"no environment named '{name}'");
        if (state.Phase != EnvironmentPhase.Up)
        {
            throw new InvalidOperationException($"environment '{name}' is {state.Phase.ToString().ToLowerInvariant()}, not up; run 'geostage down --name {name}' and up again");
        }

        var self = new ProcessRecord
        {
            Role = Role,
            Namespace = "",
            Pid = Environment.ProcessId,
            StartTicks = ProcTable.StartTicks(Environment.ProcessId) ?? 0,
            Command = Environment.GetCommandLineArgs(),
            LogFile = Path.Combine(dir, "logs", "daemon.log"),
        };
        state = state with { Processes = [.. state.Processes.Where(p => p.Role != Role), self] };
        states.Save(state);

        // One factory for the loop and the host, built first so that the loop can log before the host runs.
        var level = verbose ? LogLevel.Debug : LogLevel.Information;
        using var logging = LoggerFactory.Create(b => ConfigureLogging(b, verbose));
        var logger = logging.CreateLogger("GeoStage.Control.Daemon");
        Log.DaemonStarting(logger, name, Environment.ProcessId, level);

        using var store = new ControlStore(states.Open(name));
        var (backend, runtime) = place(state);
        var loop = new ControlLoop(states, state, store, backend, runtime, TimeProvider.System, logging.CreateLogger<ControlLoop>());
        var socket = SocketPath(states, name);
        File.Delete(socket);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socket);
            k.Limits.MaxRequestBodySize = MaxRequestBytes;
        });
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.MaxDepth = Core.Specs.SpecLimits.MaxDepth;
            o.SerializerOptions.DefaultIgnoreCondition = StateJson.Options.DefaultIgnoreCondition;
            foreach (var converter in StateJson.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        builder.Services.AddSingleton(new ControlLoopHolder(loop));
        await using var app = builder.Build();
        ControlApi.UseErrors(app, logging.CreateLogger("GeoStage.Control.Api"));
        ControlApi.Map(app, loop, DateTimeOffset.UtcNow);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = loop.RunAsync(stop.Token);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Log.DaemonListening(logger, name, socket);
        ready(socket);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: workloads stay up for the next daemon to adopt.
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            File.Delete(socket);
            Log.DaemonStopped(logger, name);
        }
    }

    /// <summary>
    /// One line per entry, UTC timestamps, no colours: the output goes to logs/daemon.log. ASP.NET Core's
    /// own lines (a line per request at Information) only with verbose; its warnings and errors always.
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder builder, bool verbose)
    {
        builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        builder.AddFilter("Microsoft", verbose ? LogLevel.Information : LogLevel.Warning);
        // All to stderr: a 'serve' in the foreground keeps stdout for what it prints on purpose.
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
        });
    }

    /// <summary>daemon.lock, held for the daemon's life; null when another process holds it.</summary>
    private static FileStream? TakeLock(StateStore states, string name, string dir)
    {
        try
        {
            return Removal.TryLock(dir, create: false);
        }
        catch (FileNotFoundException)
        {
            // The environment's first daemon creates the lock, unless down is deleting the directory.
            return states.Load(name) is { Phase: EnvironmentPhase.Up } && Removal.Refusal(states, name) is null
                ? Removal.TryLock(dir, create: true)
                : throw new InvalidOperationException(Removal.Refusal(states, name) ?? $"environment '{name}' is not up");
        }
        catch (DirectoryNotFoundException e)
        {
            throw new InvalidOperationException($"no environment named '{name}'", e);
        }
    }
}
