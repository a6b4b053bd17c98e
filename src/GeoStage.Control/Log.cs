using GeoStage.Control.Events;
using Microsoft.Extensions.Logging;

namespace GeoStage.Control;

/// <summary>
/// The control daemon's log messages, source-generated so that a message below the level costs nothing.
/// EventIds: GeoStage.Control owns 1000-1999 (1000s daemon, 1100s events, 1200s reconcile, 1300s API,
/// 1400s devices, 1500s balancer hooks). Other assemblies: Balancer 2000-2999, Local 3000-3999, Cli 4000-4999, so that an id
/// in daemon.log names the assembly that wrote it.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "control daemon of {Environment} starting: pid {Pid}, log level {Level}")]
    public static partial void DaemonStarting(ILogger logger, string environment, int pid, LogLevel level);

    [LoggerMessage(1001, LogLevel.Information, "control daemon of {Environment} listening on {Socket}")]
    public static partial void DaemonListening(ILogger logger, string environment, string socket);

    [LoggerMessage(1002, LogLevel.Information, "control daemon of {Environment} stopped; workloads keep running for the next daemon to adopt")]
    public static partial void DaemonStopped(ILogger logger, string environment);

    [LoggerMessage(1100, LogLevel.Information, "event {EventKind} [{EventCategory}] {Subject}: {EventMessage}")]
    public static partial void EventEmitted(ILogger logger, string eventKind, EventCategory eventCategory, string subject, string eventMessage);

    [LoggerMessage(1200, LogLevel.Error, "reconcile pass failed; retrying every tick, logged again only when the error changes")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(1201, LogLevel.Information, "reconcile pass succeeds again after: {Error}")]
    public static partial void ReconcileRecovered(ILogger logger, string error);

    [LoggerMessage(1300, LogLevel.Error, "{Method} {Path} failed; answered 500 with one line")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(1301, LogLevel.Debug, "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void RequestAnswered(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(1400, LogLevel.Debug, "device check: {Faults} fault(s), {Due} due for repair")]
    public static partial void DeviceCheck(ILogger logger, int faults, int due);

    [LoggerMessage(1500, LogLevel.Information, "{Hook}: {Outcome}")]
    public static partial void HookOutcome(ILogger logger, string hook, string outcome);

    [LoggerMessage(1401, LogLevel.Debug, "{Overlay} {Site}->{Peer} restarted as {Instance}: {Command}")]
    public static partial void TunnelRestarted(ILogger logger, string overlay, string site, string peer, string instance, string command);
}
