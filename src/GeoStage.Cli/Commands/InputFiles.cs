namespace GeoStage.Cli.Commands;

/// <summary>
/// The file arguments of up, down and deploy, checked before they are read: a directory read as a file
/// said "Access to the path is denied" (or, for deploy, "no such file"), which sends a root user hunting
/// for a permission problem that is not there.
/// </summary>
internal static class InputFiles
{
    /// <summary>Null when <paramref name="path"/> may be read as a file, else the one-line error.</summary>
    /// <param name="kind">What the file should be, e.g. "a topology file".</param>
    public static string? Problem(string path, string kind)
    {
        if (Directory.Exists(path))
        {
            return $"{path} is a directory; give {kind}";
        }

        return File.Exists(path) ? null : $"{path}: no such file; give {kind}";
    }
}
