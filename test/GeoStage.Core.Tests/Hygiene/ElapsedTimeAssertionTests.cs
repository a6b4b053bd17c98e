using Xunit;

namespace GeoStage.Core.Tests.Hygiene;

/// <summary>No test asserts an upper bound on elapsed time (issue 9): such figures are measured in bench/.</summary>
public sealed class ElapsedTimeAssertionTests
{
    [Fact]
    public void TestSources_None_AssertsAnUpperBoundOnElapsedTime()
    {
        var root = RepositoryRoot();
        var found = Directory.EnumerateFiles(Path.Combine(root, "test"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => ElapsedTimeAssertions.Find(File.ReadAllText(f)).Select(hit => $"{Path.GetRelativePath(root, f)}:{hit}"))
            .ToList();

        Assert.True(found.Count == 0, "assertions on elapsed wall time (measure the figure in bench/, assert the behaviour):\n" + string.Join('\n', found));
    }

    [Theory]
    [InlineData("Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), \"fast\");")]
    [InlineData("Assert.True(\n    leftAfter <= TimeSpan.FromMilliseconds(500 + 250),\n    $\"{x} ms\");")]
    [InlineData("Assert.InRange(sw.ElapsedMilliseconds, 0, 1500);")]
    [InlineData("Assert.False(TimeSpan.FromSeconds(3) > gap, \"slow\");")]
    [InlineData("Assert.True(failoverMs < 3000);")]
    [InlineData("Assert.True(gap < 3000, $\"the client went {gap} ms without an answer\");")]
    public void Find_UpperBoundOnElapsedTime_IsReported(string source)
    {
        Assert.Single(ElapsedTimeAssertions.Find("class C {\n" + source + "\n}"));
    }

    [Theory]
    [InlineData("Assert.True(restarts[1].At - restarts[0].At >= TimeSpan.FromSeconds(0.5), \"no backoff\");")]
    [InlineData("Assert.True(second.LastFailoverMs > 0);")]
    [InlineData("Assert.True(count < 3, $\"took {clock.Elapsed.TotalMilliseconds} ms\");")]
    [InlineData("Assert.True(up.GetProperty(\"elapsedSeconds\").GetDouble() > 0);")]
    [InlineData("Assert.InRange(largest.Size, 1, Bound);")]
    public void Find_LowerBoundOrNoTime_IsNotReported(string source)
    {
        Assert.Empty(ElapsedTimeAssertions.Find(source));
    }

    [Fact]
    public void Find_Offender_NamesItsLine()
    {
        var hit = Assert.Single(ElapsedTimeAssertions.Find("a\nb\n  Assert.True(sw.Elapsed < limit);\n"));

        Assert.StartsWith("3: Assert.True(sw.Elapsed < limit)", hit, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GeoStage.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no GeoStage.slnx above {AppContext.BaseDirectory}: the scan needs the sources");
    }
}
