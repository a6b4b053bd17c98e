using System.Xml.Linq;
using Xunit;

namespace GeoStage.Core.Tests.Hygiene;

/// <summary>
/// The direction of the project references (issue 9): Cli -> Control -> Core/Balancer, the Cli chooses the
/// backend. A reference added the wrong way builds fine, so only a test that reads the project files sees it.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string[] s_backends = ["GeoStage.Local", "GeoStage.Overlay"];

    [Fact]
    public void Control_References_NoBackend()
    {
        var control = References("GeoStage.Control");

        Assert.Empty(control.Intersect(s_backends));
    }

    [Fact]
    public void Core_References_NoOtherGeoStageProject()
    {
        Assert.Empty(References("GeoStage.Core"));
    }

    [Fact]
    public void Balancer_References_OnlyCore()
    {
        Assert.Equal(["GeoStage.Core"], References("GeoStage.Balancer"));
    }

    [Fact]
    public void LocalBackend_IsReferenced_OnlyByTheCli()
    {
        var referrers = SourceProjects().Where(p => References(p).Contains("GeoStage.Local")).ToList();

        Assert.Equal(["GeoStage.Cli"], referrers);
    }

    [Fact]
    public void ControlSources_Name_NoLocalBackendDetail()
    {
        var root = Sources.RepositoryRoot();
        string[] forbidden = ["GeoStage.Local", "LocalNames", "nsenter"];
        var found = Sources.Files(Path.Combine(root, "src", "GeoStage.Control"))
            .SelectMany(f => File.ReadLines(f)
                .Select((text, index) => (text, line: index + 1))
                .SelectMany(l => forbidden
                    .Where(word => l.text.Contains(word, StringComparison.Ordinal))
                    .Select(word => $"{Path.GetRelativePath(root, f)}:{l.line}: {word}")))
            .ToList();

        Assert.True(found.Count == 0, "the control plane names the local backend (go through Core's Backends/Runtime interfaces):\n" + string.Join('\n', found));
    }

    /// <summary>The projects under src/, by name, in order.</summary>
    private static List<string> SourceProjects() =>
        Directory.EnumerateFiles(Path.Combine(Sources.RepositoryRoot(), "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The GeoStage projects <paramref name="project"/> references, by name, in order.</summary>
    private static List<string> References(string project)
    {
        var file = Path.Combine(Sources.RepositoryRoot(), "src", project, project + ".csproj");
        Assert.True(File.Exists(file), $"no project file {file}");

        return XDocument.Load(file).Descendants("ProjectReference")
            .Select(r => (string?)r.Attribute("Include") ?? "")
            .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
            .Where(name => name.StartsWith("GeoStage.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
