namespace GeoStage.Control.Instances;

/// <summary>
/// Keeps an instance's output file under a size. Instances write to the file themselves (so a daemon
/// that dies takes no pipe with it), hence rotation by copy-then-truncate: the writer, appending, goes on
/// at the start of the emptied file. Lines written between the copy and the truncate are lost, as with
/// logrotate's copytruncate.
/// </summary>
public static class LogRotator
{
    public const long DefaultLimit = 4 << 20;
    public const int Keep = 3;

    /// <summary>Rotates <paramref name="file"/> when it is larger than <paramref name="limit"/>; true when it did.</summary>
    public static bool RotateIfLarge(string file, long limit = DefaultLimit)
    {
        var info = new FileInfo(file);
        if (!info.Exists || info.Length <= limit)
        {
            return false;
        }

        for (var i = Keep - 1; i >= 1; i--)
        {
            var older = $"{file}.{i}";
            if (File.Exists(older))
            {
                File.Move(older, $"{file}.{i + 1}", overwrite: true);
            }
        }

        File.Copy(file, $"{file}.1", overwrite: true);
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(0);
        return true;
    }
}
