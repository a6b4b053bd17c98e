using System.Text;
using System.Text.Json;
using GeoStage.Core.Processes;

namespace GeoStage.Local.Namespaces;

/// <summary>
/// iproute2, driven in batch mode: one process applies every command for one namespace, which keeps
/// a 100-node environment to about a hundred short-lived processes rather than a thousand.
/// </summary>
public static class Ip
{
    public const string RunDir = "/run/netns";
    public const string Tool = "ip";

    public static string PathOf(string ns) => Path.Combine(RunDir, ns);

    public static bool Exists(string ns) => File.Exists(PathOf(ns));

    public static IReadOnlySet<string> ListNamespaces() =>
        Directory.Exists(RunDir) ? Directory.EnumerateFiles(RunDir).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    /// <summary>Runs <paramref name="commands"/> (one ip command each, without "ip") inside <paramref name="ns"/>, or the root namespace when null.</summary>
    public static Task BatchAsync(string? ns, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        var script = new StringBuilder();
        foreach (var command in commands)
        {
            script.Append(command).Append('\n');
        }

        string[] args = ns is null ? ["-batch", "-"] : ["-n", ns, "-batch", "-"];
        return ExternalProgram.RunAsync(Tool, args, script.ToString(), cancellationToken);
    }

    /// <summary>
    /// Runs every one of <paramref name="commands"/> in <paramref name="ns"/> whatever fails ("-force") and
    /// ignores the failures: for removing what may already be gone (a neighbour entry, a device).
    /// </summary>
    public static async Task ForceBatchAsync(string? ns, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        var script = string.Concat(commands.Select(c => c + "\n"));
        string[] args = ns is null ? ["-force", "-batch", "-"] : ["-n", ns, "-force", "-batch", "-"];
        try
        {
            await ExternalProgram.RunAsync(Tool, args, script, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException)
        {
            // "Cannot find device", "No such file or directory": gone already, which is what was wanted.
        }
    }

    /// <summary>Runs one ip command with -json and parses what it prints.</summary>
    public static async Task<JsonElement> JsonAsync(string? ns, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string[] full = ns is null ? ["-json", .. args] : ["-n", ns, "-json", .. args];
        var output = await ExternalProgram.RunAsync(Tool, full, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(output.Length == 0 ? "[]" : output);
        return document.RootElement.Clone();
    }
}
