using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using Spectre.Console;

namespace GeoStage.Cli.Rendering;

internal static class UpView
{
    public static object Json(UpResult result) => new
    {
        environment = result.State.Name,
        elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
        sites = result.State.Model.Sites.Count,
        nodes = result.State.Model.Nodes.Count,
        tunnels = result.State.Model.Overlay.Tunnels.Count,
        before = result.Before is null ? null : Summary(result.Before),
        after = Summary(result.After),
    };

    public static void Print(UpResult result)
    {
        var model = result.State.Model;
        AnsiConsole.MarkupLine($"[green]{Markup.Escape(model.Name)} is up[/] in {result.Elapsed.TotalSeconds:0.00} s: {model.Sites.Count} sites, {model.Nodes.Count} nodes, {model.Overlay.Tunnels.Count} {GeoStage.Overlay.OverlayDrivers.For(model.Overlay.Backend).DisplayName} tunnels");
        if (result.Before is { } before)
        {
            var sameSite = before.Pairs.Count(p => p.Reachable && p.FromSite == p.ToSite);
            var cross = before.ReachableCount - sameSite;
            AnsiConsole.MarkupLine($"before the overlay: {before.ReachableCount}/{before.Total} pairs reachable ({sameSite} within a site, {cross} across sites)");
        }

        var rtts = result.After.Pairs.Where(p => p.RttMs is not null).Select(p => p.RttMs!.Value).Order().ToList();
        var median = rtts.Count > 0 ? $", median RTT {rtts[rtts.Count / 2]:0.00} ms" : "";
        AnsiConsole.MarkupLine($"after the overlay:  {result.After.ReachableCount}/{result.After.Total} pairs reachable{median}");
        AnsiConsole.MarkupLine($"[grey]next: geostage reach · geostage status · geostage down --name {Markup.Escape(model.Name)}[/]");
    }

    private static object Summary(Reachability reach) => new { reachable = reach.ReachableCount, total = reach.Total };
}
