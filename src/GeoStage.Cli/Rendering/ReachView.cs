using GeoStage.Core.Model;
using Spectre.Console;

namespace GeoStage.Cli.Rendering;

internal static class ReachView
{
    private const int LargestMatrix = 24;

    /// <summary>A from × to table: ○ and the average RTT where the pair answered, × where it did not.</summary>
    public static void Print(EnvironmentModel model, Reachability reach, bool forceMatrix)
    {
        var title = reach.Overlay ? "with the overlay" : "without the overlay";
        if (model.Nodes.Count <= LargestMatrix || forceMatrix)
        {
            var pairs = reach.Pairs.ToDictionary(p => (p.From, p.To));
            var table = new Table().Border(TableBorder.Rounded).Title($"reachability of {Markup.Escape(model.Name)} {title} (RTT in ms)");
            table.AddColumn("from \\ to");
            foreach (var node in model.Nodes)
            {
                table.AddColumn(new TableColumn(Markup.Escape(node.Name)).Centered());
            }

            foreach (var from in model.Nodes)
            {
                var cells = new List<string> { $"[bold]{Markup.Escape(from.Name)}[/] [grey]({Markup.Escape(from.Site)})[/]" };
                foreach (var to in model.Nodes)
                {
                    cells.Add(from.Name == to.Name ? "[grey]-[/]" : Cell(pairs[(from.Name, to.Name)]));
                }

                table.AddRow(cells.ToArray());
            }

            AnsiConsole.Write(table);
        }

        var sameSite = reach.Pairs.Where(p => p.FromSite == p.ToSite).ToList();
        var crossSite = reach.Pairs.Where(p => p.FromSite != p.ToSite).ToList();
        AnsiConsole.MarkupLine($"{reach.ReachableCount}/{reach.Total} pairs reachable {title}: within sites {sameSite.Count(p => p.Reachable)}/{sameSite.Count}, across sites {crossSite.Count(p => p.Reachable)}/{crossSite.Count}");
    }

    private static string Cell(ReachPair pair) =>
        pair.Reachable ? $"[green]○[/] {pair.RttMs:0.00}" : "[red]×[/]";
}
