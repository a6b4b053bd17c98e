using System.CommandLine;
using GeoStage.Bench;

var seedRuns = new Option<int>("--seed-runs") { Description = "Runs of examples/seed.yaml (also: workload runs and node joins on it).", DefaultValueFactory = _ => 5 };
var gridRuns = new Option<int>("--grid-runs") { Description = "Runs of the 10 sites x 10 nodes grid (also: workload runs on it).", DefaultValueFactory = _ => 3 };
var mininetRuns = new Option<int>("--mininet-runs") { Description = "Runs of each Mininet reference (0 skips Mininet).", DefaultValueFactory = _ => 2 };
var workloads = new Option<bool>("--workloads") { Description = "Run only the workload benchmark: deploy/update/stop on every node, a P2P rollout, node join, daemon memory." };
var balancer = new Option<bool>("--balancer") { Description = "Run only the load balancer benchmark: GeoStage balancer vs HAProxy throughput, failover vs keepalived." };
var balancerFirst = new Option<bool>("--balancer-first") { Description = "Run only the first-failover benchmark: the leader's replica killed on fresh environments (needs nginx only)." };
var freshEnvs = new Option<int>("--fresh-envs") { Description = "Fresh environments of the first-failover benchmark (also run by --balancer; 0 skips it there).", DefaultValueFactory = _ => 5 };
var write = new Option<string?>("--write") { Description = "Also put the results section(s) into this markdown file (e.g. docs/benchmarks.md)." };
var root = new RootCommand("GeoStage whole-system benchmark: geostage up/down of the seed and a 100-node grid, wall clock, with Mininet as a reference; then workloads on both.")
{
    seedRuns, gridRuns, mininetRuns, workloads, balancer, balancerFirst, freshEnvs, write,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var settings = new BenchSettings
    {
        SeedRuns = parse.GetValue(seedRuns),
        GridRuns = parse.GetValue(gridRuns),
        MininetRuns = parse.GetValue(mininetRuns),
        WritePath = parse.GetValue(write),
        FreshEnvironments = parse.GetValue(freshEnvs),
    };
    if (parse.GetValue(balancerFirst))
    {
        return await BalancerFirstFailover.RunAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    if (parse.GetValue(balancer))
    {
        return await BalancerBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    if (parse.GetValue(workloads))
    {
        return await WorkloadBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    // The workload benchmark follows unless the first could not run at all or was cancelled.
    var startup = await StartupBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
    if (startup is not (BenchRun.Ok or BenchRun.Failed))
    {
        return startup;
    }

    var workload = await WorkloadBenchmark.RunAsync(settings, cancellationToken).ConfigureAwait(false);
    return startup == BenchRun.Ok ? workload : startup;
});

// Ctrl+C cancels the run; the environment of the run under way is still taken down, which takes longer
// than System.CommandLine's default grace of 2 s for a 100-node grid under load.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) }).ConfigureAwait(false);
