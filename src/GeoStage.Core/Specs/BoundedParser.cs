using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GeoStage.Core.Specs;

/// <summary>
/// A YAML event stream that stops at the first event beyond <see cref="SpecLimits"/>. YamlDotNet's parser
/// is iterative but its node model loads recursively, so 30,000 nested '[' overflowed the stack and killed
/// the process (a StackOverflowException cannot be caught); checked here, the loader never gets that deep.
/// Aliases are counted at their expanded size, which is what a billion-laughs file inflates.
/// </summary>
internal sealed class BoundedParser : IParser
{
    private readonly Parser _inner;
    private readonly Stack<(AnchorName Anchor, long Nodes, long Chars)> _open = new();
    private readonly Dictionary<AnchorName, (long Nodes, long Chars)> _anchors = [];
    private long _nodes;
    private long _chars;

    public BoundedParser(TextReader input)
    {
        _inner = new Parser(input);
    }

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            return false;
        }

        switch (_inner.Current)
        {
            case SequenceStart or MappingStart:
                var anchor = ((NodeEvent)_inner.Current).Anchor;
                if (_open.Count >= SpecLimits.MaxDepth)
                {
                    throw Refuse($"nesting deeper than {SpecLimits.MaxDepth} levels; a GeoStage file needs at most 6: remove the extra '[', '{{' or indentation");
                }

                Count(1, 0);
                _open.Push((anchor, 0, 0));
                break;
            case SequenceEnd or MappingEnd when _open.Count > 0:
                var (name, nodes, chars) = _open.Pop();
                Remember(name, nodes + 1, chars);
                AddToInnermost(nodes, chars);
                break;
            case Scalar scalar:
                if (scalar.Value.Length > SpecLimits.MaxScalarChars)
                {
                    throw Refuse($"a value of {Thousands(scalar.Value.Length)} characters; at most {Thousands(SpecLimits.MaxScalarChars)} are read: shorten it");
                }

                Count(1, scalar.Value.Length);
                Remember(scalar.Anchor, 1, scalar.Value.Length);
                break;
            case AnchorAlias alias when _anchors.TryGetValue(alias.Value, out var size):
                Count(size.Nodes, size.Chars);
                break;
        }

        return true;
    }

    private void Remember(AnchorName anchor, long nodes, long chars)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor] = (nodes, chars);
        }
    }

    /// <summary>Adds to the whole document and to every collection still open, which all contain this node.</summary>
    private void Count(long nodes, long chars)
    {
        _nodes += nodes;
        _chars += chars;
        if (_nodes > SpecLimits.MaxExpandedNodes || _chars > SpecLimits.MaxExpandedChars)
        {
            throw Refuse($"the file expands (aliases included) to more than {Thousands(SpecLimits.MaxExpandedNodes)} values or {Thousands(SpecLimits.MaxExpandedChars)} characters; write fewer aliases ('*name') of large anchors");
        }

        AddToInnermost(nodes, chars);
    }

    // Only the innermost collection is updated as values come; a closed one hands its total to its parent.
    private void AddToInnermost(long nodes, long chars)
    {
        if (_open.Count > 0)
        {
            var (anchor, n, c) = _open.Pop();
            _open.Push((anchor, n + nodes, c + chars));
        }
    }

    private SpecLimitException Refuse(string message)
    {
        var at = _inner.Current?.Start ?? Mark.Empty;
        return new SpecLimitException((int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), message);
    }

    internal static string Thousands(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Input beyond <see cref="SpecLimits"/>, found while parsing; turned into a positioned error by the reader.</summary>
internal sealed class SpecLimitException(int line, int column, string message) : Exception(message)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}
