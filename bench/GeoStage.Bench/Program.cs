using System.CommandLine;
using GeoStage.Bench;

var seedRuns = new Option<int>("--seed-runs") { Description = "Runs of examples/seed.yaml.", DefaultValueFactory = _ => 5 };
var gridRuns = new Option<int>("--grid-runs") { Description = "Runs of the 10 sites x 10 nodes grid.", DefaultValueFactory = _ => 3 };
var mininetRuns = new Option<int>("--mininet-runs") { Description = "Runs of each Mininet reference (0 skips Mininet).", DefaultValueFactory = _ => 2 };
var write = new Option<string?>("--write") { Description = "Also put the results section into this markdown file (e.g. docs/benchmarks.md)." };
var root = new RootCommand("GeoStage whole-system benchmark: geostage up/down of the seed and a 100-node grid, wall clock, with Mininet as a reference.")
{
    seedRuns, gridRuns, mininetRuns, write,
};
root.SetAction((parse, cancellationToken) => StartupBenchmark.RunAsync(
    new BenchSettings
    {
        SeedRuns = parse.GetValue(seedRuns),
        GridRuns = parse.GetValue(gridRuns),
        MininetRuns = parse.GetValue(mininetRuns),
        WritePath = parse.GetValue(write),
    },
    cancellationToken));

// Ctrl+C cancels the run; the environment of the run under way is still taken down, which takes longer
// than System.CommandLine's default grace of 2 s for a 100-node grid under load.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) }).ConfigureAwait(false);
