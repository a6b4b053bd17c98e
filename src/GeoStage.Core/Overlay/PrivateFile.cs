namespace GeoStage.Core.Overlay;

/// <summary>Writes files that hold or name secrets: mode 0600 from the moment they exist.</summary>
public static class PrivateFile
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string text)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = Private,
        });

        // The create mode applies only to a new file; one that existed keeps its mode unless set here,
        // before anything secret is written (FileMode.Create has already emptied it).
        File.SetUnixFileMode(stream.SafeFileHandle, Private);

        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
