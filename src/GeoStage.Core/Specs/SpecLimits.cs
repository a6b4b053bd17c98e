namespace GeoStage.Core.Specs;

/// <summary>
/// The bounds on what GeoStage reads, enforced before and while a file or request is parsed, so that no
/// input can exhaust the stack (deep nesting), memory (huge files, scalars or alias bombs) or the host
/// (huge counts). Documented in docs/spec.md, "Limits".
/// </summary>
public static class SpecLimits
{
    /// <summary>The largest file (and request text) read: far above any real topology, far below harm.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Collections open at once. A spec needs 6 (workloads, a workload, placement, labels…).</summary>
    public const int MaxDepth = 32;

    /// <summary>Nodes after expanding aliases, so that a few lines of anchors cannot stand for a billion values.</summary>
    public const int MaxExpandedNodes = 1_000_000;

    /// <summary>Characters of scalars after expanding aliases.</summary>
    public const int MaxExpandedChars = 4 * MaxFileBytes;

    /// <summary>Any one scalar, wherever it is; fields have tighter bounds (<see cref="MaxLength"/>).</summary>
    public const int MaxScalarChars = 64 * 1024;

    /// <summary>
    /// Short values: names and references to them (validation then holds names to 63, DNS-1123), addresses,
    /// durations, label keys and values, free text such as a site's location.
    /// </summary>
    public const int MaxTextChars = 256;

    /// <summary>Command lines, args, env values, health commands and hooks.</summary>
    public const int MaxCommandChars = 4096;

    public const int MaxSites = 1024;
    public const int MaxNodes = 4096;
    public const int MaxWorkloads = 1024;
    public const int MaxBalancers = 256;

    /// <summary>Entries of one list or mapping inside an item: args, env, labels, ports, listeners, placement lists.</summary>
    public const int MaxEntries = 256;

    private static readonly string[] s_commandKeys = ["command", "args", "env", "http", "onLeader", "onFollower"];

    /// <summary>How many characters the scalar at <paramref name="path"/> (e.g. sites[0].location) may have.</summary>
    public static int MaxLength(string path)
    {
        var segments = path.Split('.');
        var last = Unindexed(segments[^1]);
        if (segments.Length >= 2 && Unindexed(segments[^2]) is "env" or "labels")
        {
            // A map's value: its key is user-chosen, the map decides the bound.
            return Unindexed(segments[^2]) == "env" ? MaxCommandChars : MaxTextChars;
        }

        return s_commandKeys.Contains(last, StringComparer.Ordinal) ? MaxCommandChars : MaxTextChars;
    }

    /// <summary>How many entries the list at <paramref name="path"/> (e.g. workloads, workloads[0].args) may have.</summary>
    public static int MaxCount(string path) => Unindexed(path.Split('.')[^1]) switch
    {
        "sites" => MaxSites,
        "nodes" => MaxNodes,
        "workloads" => MaxWorkloads,
        "balancers" => MaxBalancers,
        _ => MaxEntries,
    };

    private static string Unindexed(string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? segment : segment[..bracket];
    }
}
