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

    /// <summary>The final views, and the generations waited on that ended before the wait did: ready and then
    /// replaced, or superseded by a later change (or a stop) before they were ready.</summary>
    public sealed record Outcome(IReadOnlyList<WorkloadView> Views, IReadOnlyList<GenerationView> Ended)
    {
        public IReadOnlyList<GenerationView> Superseded => [.. Ended.Where(e => e.Outcome == "superseded")];
    }

    /// <summary>
    /// Waits for <paramref name="names"/>; for those in <paramref name="generations"/>, for that generation
    /// (the one the caller's change made): once the workload has moved past it, its fate is read from the
    /// daemon's history of generations, so that a caller never reports a later change's result as its own.
    /// Throws when a rollout was rolled back or time ran out.
    /// </summary>
    public static async Task<Outcome> WaitAsync(ControlClient client, IReadOnlyCollection<string> names, IReadOnlyDictionary<string, long> generations, Goal goal, TimeSpan timeout, bool quiet, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var said = new Dictionary<string, string>();
        var ended = new Dictionary<string, GenerationView>();
        var error = Terminal.Error();
        while (true)
        {
            var all = (await client.GetAsync<List<WorkloadView>>("v1/workloads", cancellationToken).ConfigureAwait(false)).Where(w => names.Contains(w.Name)).ToList();
            foreach (var moved in all.Where(v => !ended.ContainsKey(v.Name) && generations.TryGetValue(v.Name, out var g) && (v.Generation != g || v.Status == "stopped")))
            {
                var fate = await FateAsync(client, moved.Name, generations[moved.Name], cancellationToken).ConfigureAwait(false);
                if (fate.Outcome == "rolled-back")
                {
                    throw new InvalidOperationException($"{moved.Name}: {fate.Message ?? "the rollout failed"}");
                }

                if (fate.Outcome is "ready" or "superseded")
                {
                    ended[moved.Name] = fate;
                }
            }

            // What happens to a workload after the caller's generation ended is another caller's business.
            var views = all.Where(v => !ended.ContainsKey(v.Name)).ToList();
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
                : all.Count == names.Count && views.All(v => v.Status is "ready" || (v.Status == "rolled-back" && v.UpdatedAt < sent && v.Healthy == v.Instances));
            if (done)
            {
                return new Outcome(all, [.. ended.Values]);
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not settled after {timeout.TotalSeconds:0} s: {string.Join("; ", views.Select(v => $"{v.Name} {v.Healthy}/{v.Instances} healthy ({v.Status})"))}; see 'geostage ps' and 'geostage events'");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How <paramref name="generation"/> of <paramref name="name"/> ended; one the daemon no longer remembers was superseded long ago.</summary>
    private static async Task<GenerationView> FateAsync(ControlClient client, string name, long generation, CancellationToken cancellationToken)
    {
        var history = await client.GetAsync<List<GenerationView>>($"v1/workloads/{name}/generations", cancellationToken).ConfigureAwait(false);
        return history.FirstOrDefault(g => g.Generation == generation)
            ?? new GenerationView(name, generation, "?", "?", default, "superseded", null, null, $"generation {generation} was superseded by later changes before it was ready");
    }
}
