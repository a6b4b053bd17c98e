using System.Globalization;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Limits;

/// <summary>
/// The property every reader and validator keeps, whatever it is given: it returns a model or throws
/// <see cref="SpecException"/> whose every error names the file, a line and a column in one line; it throws
/// nothing else, never takes the process down, and creates nothing. Seeded, so a failure is reproducible:
/// GEOSTAGE_FUZZ_SEED=N replays the run a failure names.
/// </summary>
public sealed class SpecReaderFuzzTests
{
    private const int DefaultSeed = 20_261_202;
    private const int Cases = 300;

    private static readonly HostLimits s_host = new(PidMax: 32_768, ThreadsMax: 100_000, ThreadsNow: 300, MaxNetNamespaces: 1_000, NetNamespacesNow: 0);

    [Fact]
    public void ReadAndValidate_GeneratedInputs_OnlyPositionedErrorsAndNothingCreated()
    {
        var seed = Environment.GetEnvironmentVariable("GEOSTAGE_FUZZ_SEED") is { Length: > 0 } given ? int.Parse(given, CultureInfo.InvariantCulture) : DefaultSeed;
        var examples = new[] { "seed.yaml", "p2p.yaml", "lb.yaml" }.Select(f => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", f))).ToList();
        var environment = SpecValidator.Load(examples[0], "seed.yaml", []);
        var dir = Directory.CreateTempSubdirectory("geostage-fuzz-");
        var file = Path.Combine(dir.FullName, "fuzz.yaml");
        try
        {
            var random = new Random(seed);
            for (var i = 0; i < Cases; i++)
            {
                var caseSeed = random.Next();
                var (kind, text) = SpecFuzz.Generate(caseSeed, examples);
                if (Problem(text, file, environment) is { } problem)
                {
                    Assert.Fail($"run seed {seed}, case {i} (seed {caseSeed}, {kind}): {problem}\n--- input ---\n{SpecFuzz.Describe(text)}");
                }
            }

            // Validation reads (commands on the PATH, the file's directory) and writes nothing. Namespaces are
            // not compared: root tests of other assemblies create theirs meanwhile, and Core knows no backend.
            Assert.Empty(dir.EnumerateFileSystemInfos());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>What is wrong with how the readers and validators took <paramref name="text"/>, or null.</summary>
    private static string? Problem(string text, string file, EnvironmentModel environment)
    {
        var checks = new (string Name, Action Run)[]
        {
            ("topology", () => SpecValidator.Load(text, file, [], s_host)),
            ("workloads", () => WorkloadValidator.Load(text, file, environment, [])),
            ("balancers", () => BalancerValidator.Load(text, file, environment, ["chain"])),
        };
        foreach (var (name, run) in checks)
        {
            try
            {
                run();
            }
            catch (SpecException e)
            {
                if (e.Errors.Count == 0)
                {
                    return $"{name}: a SpecException without errors: {e.Message}";
                }

                if (e.Errors.FirstOrDefault(x => x.File != file || x.Line < 1 || x.Column < 1 || x.Message.Length == 0 || x.ToString().Contains('\n', StringComparison.Ordinal) || x.Message.Length > 10_000) is { } bad)
                {
                    return $"{name}: an error without a position, or not one short line: {SpecFuzz.Describe(bad.ToString())}";
                }
            }
            catch (Exception e)
            {
                return $"{name}: threw {e}";
            }
        }

        return null;
    }
}
