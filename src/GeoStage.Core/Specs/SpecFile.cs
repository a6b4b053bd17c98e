using System.Text;
using GeoStage.Core.Validation;

namespace GeoStage.Core.Specs;

/// <summary>Reads spec files with a bound on their size, so that /dev/zero or an endless FIFO ends in an error, not an OutOfMemory.</summary>
public static class SpecFile
{
    public const string TooLarge = "larger than 4 MiB (4,194,304 bytes), the most GeoStage reads; split it (workloads and balancers can live in files of their own) or remove what is not needed";

    /// <summary>
    /// The text of <paramref name="path"/>; throws <see cref="SpecException"/> naming the file when it cannot
    /// be read or holds more than <see cref="SpecLimits.MaxFileBytes"/>. Reads at most one byte past the
    /// bound, whatever the file claims its length is (devices and FIFOs claim none).
    /// </summary>
    public static string Read(string path)
    {
        var buffer = new byte[SpecLimits.MaxFileBytes + 1];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new SpecException([new SpecError(path, 1, 1, "", $"cannot read the file: {e.Message}")]);
        }

        if (read > SpecLimits.MaxFileBytes)
        {
            throw new SpecException([new SpecError(path, 1, 1, "", $"the file is {TooLarge}")]);
        }

        // As File.ReadAllText: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(buffer, 0, read), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
