namespace GeoStage.Local.Processes;

/// <summary>
/// How fast log files grow between looks: a process that floods its log (OpenVPN on a deleted tun device
/// wrote 7 MiB/s) shows as a rate no working process comes near. A file found smaller than last time was
/// rotated meanwhile; all of its size counts as new. A new writer (another PID) starts a new measurement:
/// what its predecessor flooded before it was replaced is not held against it.
/// Concurrency: one caller at a time (the control loop).
/// </summary>
public sealed class LogGrowth(TimeProvider time)
{
    private readonly Dictionary<string, (long Size, long Stamp, int Writer)> _seen = new(StringComparer.Ordinal);

    /// <summary>Bytes per second written to <paramref name="file"/> since the last call for it and <paramref name="writer"/>; 0 at the first.</summary>
    public double RateOf(string file, int writer)
    {
        var info = new FileInfo(file);
        var size = info.Exists ? info.Length : 0;
        var now = time.GetTimestamp();
        var known = _seen.TryGetValue(file, out var last) && last.Writer == writer;
        _seen[file] = (size, now, writer);
        var elapsed = known ? time.GetElapsedTime(last.Stamp, now) : TimeSpan.Zero;
        if (elapsed <= TimeSpan.Zero)
        {
            return 0;
        }

        var grew = size >= last.Size ? size - last.Size : size;
        return grew / elapsed.TotalSeconds;
    }
}
