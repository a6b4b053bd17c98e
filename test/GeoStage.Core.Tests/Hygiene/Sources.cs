namespace GeoStage.Core.Tests.Hygiene;

/// <summary>The repository's own files, for tests that read the sources rather than run them.</summary>
internal static class Sources
{
    /// <summary>The directory holding GeoStage.slnx, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
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

    /// <summary>Every file under <paramref name="directory"/> but build output (bin/, obj/), in order.</summary>
    public static IEnumerable<string> Files(string directory)
    {
        var sep = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }
}
