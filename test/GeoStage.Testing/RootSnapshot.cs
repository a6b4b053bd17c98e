using System.Diagnostics;

namespace GeoStage.Testing;

/// <summary>The root namespace's routes (all tables) and links, to prove a test left them as it found them.</summary>
public sealed record RootSnapshot(string Routes, string Links)
{
    public static RootSnapshot Take() => new(Run("ip", "route", "show", "table", "all"), Run("ip", "-o", "link", "show"));

    /// <summary>Runs a tool and returns its stdout; throws when it fails.</summary>
    public static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }
}

/// <summary>A private state directory and a unique environment name for one test; removed on dispose.</summary>
public sealed class TempState : IDisposable
{
    public TempState()
    {
        Root = Directory.CreateTempSubdirectory("geostage-test-").FullName;
    }

    public string Root { get; }

    /// <summary>A DNS-1123 name no other test run uses, short enough for namespace and interface names.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..6]}";

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>Topology files for tests, as text.</summary>
public static class Topologies
{
    /// <summary>The seed topology of examples/seed.yaml under another name, so runs never collide.</summary>
    public static string Seed(string name)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml"));
        return text.Replace("name: seed", $"name: {name}", StringComparison.Ordinal);
    }

    /// <summary>A small two-site topology.</summary>
    public static string TwoSites(string name) => $$"""
        name: {{name}}
        wan: 10.9.0.0/16
        sites:
          - { name: east, cidr: 10.91.0.0/24, router: 10.9.0.1 }
          - { name: west, cidr: 10.92.0.0/24, router: 10.9.0.2 }
        nodes:
          - { name: e1, site: east }
          - { name: e2, site: east }
          - { name: w1, site: west }
        """;

    /// <summary>A generated topology of <paramref name="sites"/> sites with <paramref name="perSite"/> nodes each.</summary>
    public static string Grid(string name, int sites, int perSite)
    {
        var text = new System.Text.StringBuilder($"name: {name}\nwan: 10.200.0.0/16\nsites:\n");
        for (var s = 0; s < sites; s++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - {{ name: s{s}, cidr: 10.{s + 1}.0.0/24, router: 10.200.0.{s + 1} }}\n");
        }

        text.Append("nodes:\n");
        for (var s = 0; s < sites; s++)
        {
            for (var n = 0; n < perSite; n++)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - {{ name: s{s}n{n}, site: s{s} }}\n");
            }
        }

        return text.ToString();
    }
}
