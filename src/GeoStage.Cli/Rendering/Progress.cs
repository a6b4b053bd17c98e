using GeoStage.Core.Backends;
using Spectre.Console;

namespace GeoStage.Cli.Rendering;

/// <summary>
/// Shows a long operation's steps on stderr as they happen: a spinner on a terminal, one line per step
/// otherwise (logs, CI). stdout stays free for the result.
/// </summary>
internal static class Progress
{
    private static readonly IAnsiConsole s_error = Terminal.Error();

    public static async Task<T> RunAsync<T>(string title, bool quiet, Func<IProgress<UpProgress>, Task<T>> work)
    {
        if (quiet)
        {
            return await work(new Progress<UpProgress>(_ => { })).ConfigureAwait(false);
        }

        var lines = new SynchronousProgress(step =>
            s_error.MarkupLine($"[grey]{step.Elapsed.TotalSeconds,6:0.00}s[/] [bold]{Markup.Escape(step.Step),-10}[/] {Markup.Escape(step.Detail)}"));
        if (!s_error.Profile.Capabilities.Interactive)
        {
            return await work(lines).ConfigureAwait(false);
        }

        return await s_error.Status().Spinner(Spinner.Known.Dots).StartAsync(title, async context =>
        {
            var both = new SynchronousProgress(step =>
            {
                lines.Report(step);
                context.Status($"{title}: {Markup.Escape(step.Step)}");
            });
            return await work(both).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
    private sealed class SynchronousProgress(Action<UpProgress> report) : IProgress<UpProgress>
    {
        public void Report(UpProgress value) => report(value);
    }
}
