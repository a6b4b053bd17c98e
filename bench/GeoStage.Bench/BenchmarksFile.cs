namespace GeoStage.Bench;

/// <summary>
/// docs/benchmarks.md: a short header, then one section per benchmark between its own markers. A run
/// replaces only its own section, so benchmarks added later (workload fan-out, load balancer) keep theirs.
/// </summary>
internal static class BenchmarksFile
{
    private const string Header = """
        # Benchmarks

        Whole-system benchmarks of GeoStage on one Linux machine: wall clock, end to end, through the CLI
        as a user runs it, with a reference tool beside it where there is one. Each benchmark owns one
        section below, between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`, and rewrites only
        that section when it runs with `--write`; later benchmarks (workload fan-out, load balancer) add
        sections of their own the same way.

        How to run (as root: the benchmarks create network namespaces; each removes what it created, also
        when it fails):

            sudo dotnet run -c Release --project bench/GeoStage.Bench -- [--seed-runs N] [--grid-runs N] [--mininet-runs N] [--write docs/benchmarks.md]

        Run on a quiet machine: tests or other benchmarks running at the same time distort the figures.

        """;

    public static void WriteSection(string path, string id, string section)
    {
        var begin = $"<!-- bench:{id}:begin -->";
        var end = $"<!-- bench:{id}:end -->";
        var block = $"{begin}\n{section.TrimEnd()}\n{end}\n";
        var text = File.Exists(path) ? File.ReadAllText(path) : Header;
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        if (from >= 0 && to > from)
        {
            var rest = text[(to + end.Length)..].TrimStart('\n');
            text = text[..from] + block + (rest.Length > 0 ? "\n" + rest : "");
        }
        else
        {
            text = text.TrimEnd() + "\n\n" + block;
        }

        File.WriteAllText(path, text);
    }
}
