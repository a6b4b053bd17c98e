using System.Diagnostics;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Cli.Rendering;
using Spectre.Console;

namespace GeoStage.Cli.Commands;

/// <summary>Waits for workloads to settle after a change, showing progress on stderr as counts change.</summary>
internal static class Rollouts
{
    public enum Goal
    {
        /// <summary>Every instance of the current version healthy.</summary>
        Ready,

        /// <summary>No instance left.</summary>
        Stopped,
    }

    /// <summary>Returns the final views; throws when a rollout was rolled back or time ran out.</summary>
    public static async Task<IReadOnlyList<WorkloadView>> WaitAsync(ControlClient client, IReadOnlyCollection<string> names, Goal goal, TimeSpan timeout, bool quiet, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var said = new Dictionary<string, string>();
        var error = Terminal.Error();
        while (true)
        {
            var views = (await client.GetAsync<List<WorkloadView>>("v1/workloads", cancellationToken).ConfigureAwait(false)).Where(w => names.Contains(w.Name)).ToList();
            foreach (var view in views)
            {
                var line = $"{view.Name}: {view.Healthy}/{view.Instances} healthy, {string.Join(" ", view.Versions.Select(v => $"v{v.Key}:{v.Value}"))} ({view.Status})";
                if (!quiet && said.GetValueOrDefault(view.Name) != line)
                {
                    error.MarkupLineInterpolated($"[grey]{clock.Elapsed.TotalSeconds,6:0.00}s[/] {line}");
                    said[view.Name] = line;
                }
            }

            // A rollback counts against this change only if it happened after the change was sent.
            if (views.FirstOrDefault(v => v.Status == "rolling-back" || (v.Status == "rolled-back" && v.UpdatedAt >= sent)) is { } failed)
            {
                throw new InvalidOperationException($"{failed.Name}: {failed.Message ?? "the rollout failed"}");
            }

            if (goal == Goal.Ready && views.FirstOrDefault(v => v.Failed > 0 && v.Status == "progressing") is { } unhealthy)
            {
                throw new InvalidOperationException($"{unhealthy.Name}: {unhealthy.Failed} instance(s) did not become healthy in time; see 'geostage ps {unhealthy.Name}' and 'geostage logs {unhealthy.Name}'");
            }

            var done = goal == Goal.Stopped
                ? views.All(v => v.Instances == 0)
                : views.Count == names.Count && views.All(v => v.Status is "ready" || (v.Status == "rolled-back" && v.UpdatedAt < sent && v.Healthy == v.Instances));
            if (done)
            {
                return views;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not settled after {timeout.TotalSeconds:0} s: {string.Join("; ", views.Select(v => $"{v.Name} {v.Healthy}/{v.Instances} healthy ({v.Status})"))}; see 'geostage ps' and 'geostage events'");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
