namespace GeoStage.Core.State;

/// <summary>
/// Creates and removes one environment's directory under the state root, and refuses any directory it
/// cannot prove is GeoStage's own: a state directory carries <see cref="MarkerName"/>, written inside it
/// before it appears under its name, and removal never follows a symbolic link. A directory from before
/// the marker existed is recognised by its state file and marked on first use.
/// Concurrency: creation is a rename of a fully prepared directory, so a second process never sees an
/// environment directory without its marker.
/// </summary>
internal static class StateDirectory
{
    public const string MarkerName = ".geostage-environment";

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="dir"/> with its marker, or checks that the existing one is ours.</summary>
    public static void Claim(string dir, string stateFileName)
    {
        RefuseLink(dir);
        if (!Directory.Exists(dir))
        {
            var parent = Path.GetDirectoryName(dir)!;
            var staging = Path.Combine(parent, $".creating-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging, Private);
            WriteMarker(staging);
            try
            {
                Directory.Move(staging, dir);
                return;
            }
            catch (IOException) when (Directory.Exists(dir))
            {
                // Another GeoStage process created it first; its directory is checked below like any other.
                Directory.Delete(staging, recursive: true);
            }
        }

        RefuseLink(dir);
        if (IsMarked(dir))
        {
            return;
        }

        if (IsRegularFile(Path.Combine(dir, stateFileName)))
        {
            WriteMarker(dir);
            return;
        }

        throw Foreign(dir);
    }

    /// <summary>Removes <paramref name="dir"/> and what is in it, links themselves but never their targets;
    /// false when there was nothing to remove.</summary>
    public static bool Remove(string dir, string stateFileName)
    {
        RefuseLink(dir);
        var info = new DirectoryInfo(dir);
        if (!info.Exists)
        {
            return false;
        }

        if (!IsMarked(dir) && !IsRegularFile(Path.Combine(dir, stateFileName)))
        {
            throw Foreign(dir);
        }

        DeleteTree(info);
        return true;
    }

    private static void DeleteTree(DirectoryInfo dir)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is null && entry is DirectoryInfo child)
            {
                DeleteTree(child);
            }
            else
            {
                // unlink(2): for a symbolic link this removes the link, whatever it points at.
                File.Delete(entry.FullName);
            }
        }

        dir.Delete();
    }

    private static void RefuseLink(string dir)
    {
        if (new DirectoryInfo(dir).LinkTarget is { } target)
        {
            throw new ForeignStateDirectoryException($"{dir} is a symbolic link (to {target}); GeoStage neither writes through nor removes a linked state directory: remove the link by hand");
        }
    }

    private static bool IsMarked(string dir) => IsRegularFile(Path.Combine(dir, MarkerName));

    private static bool IsRegularFile(string path) => new FileInfo(path) is { Exists: true, LinkTarget: null };

    private static void WriteMarker(string dir)
    {
        using var stream = new FileStream(Path.Combine(dir, MarkerName), new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write("This directory holds one GeoStage environment's state; 'geostage down' removes it.\n");
    }

    private static ForeignStateDirectoryException Foreign(string dir) =>
        new($"{dir} exists but is not a GeoStage environment directory (it has no {MarkerName}); GeoStage leaves it alone: move it away or use another name");
}
