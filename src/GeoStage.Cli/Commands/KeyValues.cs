namespace GeoStage.Cli.Commands;

/// <summary>
/// KEY=VALUE options (--label, --env) read into a dictionary, or one line saying which one is wrong:
/// "--label =x" used to store a label with an empty key, and a key given twice threw out of ToDictionary.
/// </summary>
internal static class KeyValues
{
    /// <summary>Labels: KEY=VALUE or KEY (an empty value), each checked as the topology file checks them.</summary>
    public static Dictionary<string, string> Labels(string option, IReadOnlyList<string> pairs) =>
        Read(option, pairs, valueRequired: false, (key, value) => Core.Validation.Labels.Check(key, value));

    /// <summary>Environment variables: KEY=VALUE with a key that has no '='.</summary>
    public static Dictionary<string, string> EnvironmentVariables(string option, IReadOnlyList<string> pairs) =>
        Read(option, pairs, valueRequired: true, (key, _) => key.Length == 0 ? "the name is empty" : null);

    private static Dictionary<string, string> Read(string option, IReadOnlyList<string> pairs, bool valueRequired, Func<string, string, string?> check)
    {
        var read = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 && valueRequired)
            {
                throw new UsageException($"{option} {pair}: write KEY=VALUE");
            }

            var (key, value) = equals < 0 ? (pair, "") : (pair[..equals], pair[(equals + 1)..]);
            if (key.Length == 0)
            {
                throw new UsageException($"{option} {pair}: the key is empty; write KEY=VALUE");
            }

            if (check(key, value) is { } problem)
            {
                throw new UsageException($"{option} {pair}: {problem}");
            }

            if (!read.TryAdd(key, value))
            {
                throw new UsageException($"{option} {key} is given twice; give each key once");
            }
        }

        return read;
    }
}

/// <summary>An option given a value it cannot take; CliRun prints its message as one line and exits 1.</summary>
internal sealed class UsageException : InvalidOperationException
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
