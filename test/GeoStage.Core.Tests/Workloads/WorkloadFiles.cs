using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>Validates workload text against the seed environment the way the daemon does, and reads back what went wrong.</summary>
internal static class WorkloadFiles
{
    public const string FileName = "workloads.yaml";

    public static readonly string SeedPath = Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml");

    public static readonly string P2pPath = Path.Combine(AppContext.BaseDirectory, "examples", "p2p.yaml");

    private static readonly Lazy<EnvironmentModel> s_seed = new(() => SpecValidator.Load(File.ReadAllText(SeedPath), "seed.yaml", []));

    /// <summary>The seed topology: sites a, b, c; lb and master01-03 in a, node01-02 in b, node03-04 in c.</summary>
    public static EnvironmentModel Seed => s_seed.Value;

    public static IReadOnlyList<WorkloadModel> Load(string yaml, params WorkloadModel[] others) =>
        WorkloadValidator.Load(yaml, FileName, Seed, others);

    public static WorkloadModel LoadOne(string yaml) => Assert.Single(Load(yaml));

    public static IReadOnlyList<SpecError> Errors(string yaml, params WorkloadModel[] others) =>
        Assert.Throws<SpecException>(() => Load(yaml, others)).Errors;

    public static SpecError SingleError(string yaml, params WorkloadModel[] others) =>
        Assert.Single(Errors(yaml, others));

    public static void AssertError(SpecError error, int line, int column, string path, string fragment)
    {
        Assert.Equal(FileName, error.File);
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
