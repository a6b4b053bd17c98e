using System.Text.RegularExpressions;
using Xunit;

namespace GeoStage.Core.Tests.Processes;

/// <summary>Every process GeoStage starts goes through ExternalProgram, so that lookup, errors and kills stay in one place.</summary>
public sealed partial class SpawnSitesTests
{
    private const string Runner = "src/GeoStage.Core/Processes/ExternalProgram.cs";

    [Fact]
    public void Sources_OutsideTheRunner_NeverStartAProcessThemselves()
    {
        var root = RepositoryRoot();
        var sites = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(file => !file.Split('/').Any(part => part is "bin" or "obj") && file != Runner)
            .SelectMany(file => File.ReadLines(Path.Combine(root, file)).Select((line, index) => (file, line: index + 1, text: line)))
            .Where(site => Spawn().IsMatch(site.text))
            .Select(site => $"{site.file}:{site.line}: {site.text.Trim()}")
            .ToList();

        Assert.True(sites.Count == 0, $"start processes through GeoStage.Core.Processes.ExternalProgram ({Runner}), not directly:\n{string.Join('\n', sites)}");
    }

    [Fact]
    public void Sources_TheRunnerItself_IsFoundBySpawnPattern()
    {
        // Guards the test above against a pattern that matches nothing at all.
        Assert.Contains(File.ReadLines(Path.Combine(RepositoryRoot(), Runner)), line => Spawn().IsMatch(line));
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

        throw new DirectoryNotFoundException($"no GeoStage.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"new\s+(System\.Diagnostics\.)?ProcessStartInfo\b|ProcessStartInfo\s+\w+\s*=\s*new\b|\bProcess\.Start\s*\(")]
    private static partial Regex Spawn();
}
