using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GeoStage.Control.Api;

public static partial class ControlApi
{
    /// <summary>
    /// The outermost step of every request. An exception no endpoint foresaw is a bug to fix, not a reason
    /// for the daemon (and the supervision of every workload and tunnel) to end, nor for an empty 500: it
    /// is logged with its stack and answered with one line. Each answer is logged at Debug.
    /// </summary>
    public static void UseErrors(IApplicationBuilder app, ILogger logger)
    {
        app.Use(async (context, next) =>
        {
            var clock = Stopwatch.StartNew();
            var (method, path) = (context.Request.Method, context.Request.Path.Value ?? "/");
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                Log.RequestFailed(logger, method, path, e);
                if (context.Response.HasStarted)
                {
                    // A stream already under way cannot take a status line any more: end it.
                    context.Abort();
                    return;
                }

                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                var answer = new ErrorResponse($"the daemon could not carry out the request: {e.Message}; nothing was changed by the failed step (details in the daemon's log)", []);
                await context.Response.WriteAsJsonAsync(answer, Wire.Options, context.RequestAborted).ConfigureAwait(false);
            }

            Log.RequestAnswered(logger, method, path, context.Response.StatusCode, clock.Elapsed.TotalMilliseconds);
        });
    }
}
