using System.Diagnostics;

namespace GeoStage.Overlay.Tests;

/// <summary>The openssl command line, as an independent judge of what .NET produced.</summary>
internal static class Openssl
{
    private static readonly string[] s_dirs = ["/usr/bin", "/bin", "/usr/local/bin"];

    /// <summary>Runs openssl with <paramref name="args"/>; returns stdout, throws with stderr when it fails.</summary>
    public static string Run(params string[] args)
    {
        var tool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(s_dirs)
            .Select(dir => Path.Combine(dir, "openssl"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("openssl is not installed; these tests need it (Debian: apt-get install openssl)");
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start openssl");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"openssl {string.Join(' ', args)} did not finish in 30 s");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"openssl {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
    }
}

/// <summary>A clock stopped at one instant.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A directory for one test's files, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("geostage-overlay-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
