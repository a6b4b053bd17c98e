using Xunit;

namespace GeoStage.Core.Tests.Hygiene;

/// <summary>Every relative link of README.md and docs/*.md lands on a file and, with an anchor, on a heading (issue 9).</summary>
public sealed class MarkdownLinkTests
{
    private const string Target = "/docs/target.md";

    private const string TargetText = """
        # Workloads

        ## `workloads[]`

        ## How placement selects

        ```
        # geostage logs lb-front
        ```

        ## Errors in workloads
        """;

    [Fact]
    public void FindBroken_ReadmeAndDocs_EveryLinkResolves()
    {
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md")
            .Prepend(Path.Combine(root, "README.md"))
            .Order(StringComparer.Ordinal)
            .ToList();

        var links = files.Sum(f => MarkdownLinks.Relative(File.ReadAllText(f)).Count(l => l.Target.Contains(".md#", StringComparison.Ordinal)));
        var broken = files
            .SelectMany(f => MarkdownLinks.FindBroken(f, File.ReadAllText(f), ReadOrNull).Select(b => $"{Path.GetRelativePath(root, f)}:{b}"))
            .ToList();

        Assert.True(links > 0, "no link to a heading of another file was found: the scan reads nothing");
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("see [the keys](target.md#workloads-1)")]
    [InlineData("see [placement](target.md#how-placement-selects) and [the file](target.md)")]
    [InlineData("see [Errors in\n  workloads](target.md#errors-in-workloads), over two lines")]
    [InlineData("[`{{file.dir}}`](target.md#workloads) and [a site](https://example.com/x.md#nowhere)")]
    [InlineData("`[not a link](missing.md)` and\n```\n[nor this](missing.md#x)\n```")]
    [InlineData("## Here\n\nsee [here](#here)")]
    public void FindBroken_LinkToExistingHeading_IsNotReported(string source)
    {
        Assert.Empty(MarkdownLinks.FindBroken("/docs/source.md", source, Read));
    }

    [Theory]
    [InlineData("see [rollouts](target.md#rollouts)", "1: target.md#rollouts: no heading with anchor 'rollouts' in /docs/target.md")]
    [InlineData("one\nsee [the keys](missing.md#keys)", "2: missing.md#keys: no file /docs/missing.md")]
    [InlineData("see [Errors in\n  workloads](target.md#errors)", "1: target.md#errors: no heading with anchor 'errors' in /docs/target.md")]
    [InlineData("see [logs](target.md#geostage-logs-lb-front)", "1: target.md#geostage-logs-lb-front: no heading with anchor 'geostage-logs-lb-front' in /docs/target.md")]
    [InlineData("see [the spec](../spec.md)", "1: ../spec.md: no file /spec.md")]
    [InlineData("## Here\n\nsee [there](#there)", "3: #there: no heading with anchor 'there' in /docs/source.md")]
    public void FindBroken_LinkToMissingFileOrHeading_IsReported(string source, string expected)
    {
        Assert.Equal(expected, Assert.Single(MarkdownLinks.FindBroken("/docs/source.md", source, Read)));
    }

    [Theory]
    [InlineData("How placement selects", "how-placement-selects")]
    [InlineData("`workloads[]`", "workloads")]
    [InlineData("The environment of an instance", "the-environment-of-an-instance")]
    [InlineData("Tunnels and ports", "tunnels-and-ports")]
    [InlineData("lb status", "lb-status")]
    [InlineData("`GET /v1/balancers` and [links](x.md)", "get-v1balancers-and-links")]
    public void Slug_Heading_IsGitHubsAnchor(string heading, string expected)
    {
        Assert.Equal(expected, MarkdownLinks.Slug(heading));
    }

    private static string? Read(string path) => path == Target ? TargetText : null;

    private static string? ReadOrNull(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : Directory.Exists(path) ? "" : null;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GeoStage.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no GeoStage.slnx above {AppContext.BaseDirectory}: the check needs the docs");
    }
}
