using System.Net;
using Microsoft.Extensions.Logging;

namespace GeoStage.Balancer;

/// <summary>
/// A balancer replica's log messages, source-generated. EventIds: GeoStage.Balancer owns 2000-2999
/// (Control 1000-1999, Local 3000-3999, Cli 4000-4999). The texts are what 'geostage logs' shows of a
/// replica (docs/balancers.md, docs/benchmarks.md quote them), so they keep their wording.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "warmed the takeover path of {Balancer} on {Node} in {ElapsedMs:0} ms ({Steps})")]
    public static partial void WarmedUp(ILogger logger, string balancer, string node, double elapsedMs, string steps);

    [LoggerMessage(2001, LogLevel.Information, "leader of {Balancer} (term {Term}) on {Node}: VIP {Vip} taken, serving in {ServingMs:0} ms (others fenced and VIP added at {VipTakenMs:0} ms, backends read at {BackendsReadMs:0} ms)")]
    public static partial void Leading(ILogger logger, string balancer, long term, string node, IPAddress vip, double servingMs, double vipTakenMs, double backendsReadMs);

    [LoggerMessage(2002, LogLevel.Warning, "could not lead {Balancer} in term {Term}: {Error}")]
    public static partial void CouldNotLead(ILogger logger, string balancer, long term, string error);

    [LoggerMessage(2003, LogLevel.Warning, "data path of {Node} failed: stepping down from {Balancer} (term {Term})")]
    public static partial void DataPathFailed(ILogger logger, string node, string balancer, long term);

    [LoggerMessage(2004, LogLevel.Information, "follower of {Balancer} on {Node} (was leader in term {Term}, stepped down: {Why}): VIP {Vip} released")]
    public static partial void SteppedDown(ILogger logger, string balancer, string node, long term, string why, IPAddress vip);
}
