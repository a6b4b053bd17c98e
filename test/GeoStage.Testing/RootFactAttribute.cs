using Xunit;

namespace GeoStage.Testing;

/// <summary>
/// A test that needs root and real tools (ip, openvpn). Skips with the reason when this machine cannot
/// run it, instead of passing silently.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(params string[] tools)
    {
        Skip = Machine.WhyNot(tools);
    }
}

public static class Machine
{
    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    /// <summary>Null when the tests can run here, else why not.</summary>
    public static string? WhyNot(IEnumerable<string> tools)
    {
        if (!IsRoot)
        {
            return "needs root (network namespaces); run the test command as root";
        }

        var missing = tools.Concat(["ip"]).Where(t => FindTool(t) is null).ToList();
        return missing.Count > 0 ? $"needs {string.Join(", ", missing)} on PATH (the test command installs them as root)" : null;
    }

    public static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static uint GetEuid()
    {
        // /proc/self/status carries "Uid: real effective saved fs"; no native call needed.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var parts = line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
                return uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return uint.MaxValue;
    }
}
