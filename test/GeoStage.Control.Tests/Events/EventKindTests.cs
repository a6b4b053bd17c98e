using System.Reflection;
using System.Text.RegularExpressions;
using GeoStage.Control.Events;
using Xunit;

namespace GeoStage.Control.Tests.Events;

/// <summary>The catalogue of event kinds against itself and against what docs/cli.md tells users.</summary>
public sealed partial class EventKindTests
{
    [Fact]
    public void All_EveryKind_HasAUniqueNameAndADescription()
    {
        var names = EventKind.All.Select(k => k.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(EventKind.All, k => Assert.Matches("^[a-z]+(-[a-z]+)*$", k.Name));
        Assert.All(EventKind.All, k => Assert.False(string.IsNullOrWhiteSpace(k.Description), k.Name));
    }

    [Fact]
    public void All_StaticMembers_AreAllListed()
    {
        var members = typeof(EventKind).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(EventKind))
            .Select(p => (EventKind)p.GetValue(null)!)
            .ToList();

        Assert.Equal(members.Select(k => k.Name).Order(StringComparer.Ordinal), EventKind.All.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CliDoc_KindsParagraph_ListsExactlyTheCatalogue()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "cli.md"));
        var start = doc.IndexOf("\nKinds: ", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/cli.md has no 'Kinds: ' paragraph under events");
        var end = doc.IndexOf("\n\n", start + 1, StringComparison.Ordinal);
        var documented = Backticked().Matches(doc[start..end]).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(documented.Count, documented.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(EventKind.All.Select(k => k.Name).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
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

        throw new InvalidOperationException($"no GeoStage.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
