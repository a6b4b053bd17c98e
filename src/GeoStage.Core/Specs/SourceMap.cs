namespace GeoStage.Core.Specs;

/// <summary>A 1-based line and column in a spec file.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// Where each value of a spec came from, keyed by its path (<c>sites[1].cidr</c>), so that errors found
/// after parsing still point at the right line.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourcePosition> _positions = new(StringComparer.Ordinal);

    public SourceMap(string file)
    {
        File = file;
    }

    public string File { get; }

    public void Add(string path, SourcePosition position) => _positions[path] = position;

    /// <summary>Whether the file wrote <paramref name="path"/> itself (not only a parent of it).</summary>
    public bool Has(string path) => _positions.ContainsKey(path);

    /// <summary>The position of <paramref name="path"/>, or of its nearest recorded parent.</summary>
    public SourcePosition Find(string path)
    {
        var current = path;
        while (true)
        {
            if (_positions.TryGetValue(current, out var position))
            {
                return position;
            }

            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            if (cut <= 0)
            {
                return _positions.TryGetValue(string.Empty, out var root) ? root : new SourcePosition(1, 1);
            }

            current = current[..cut];
        }
    }
}

/// <summary>A spec together with where its values came from and what was structurally wrong with it.</summary>
public sealed record SpecDocument(EnvironmentSpec? Spec, SourceMap Map, IReadOnlyList<Validation.SpecError> Errors);
