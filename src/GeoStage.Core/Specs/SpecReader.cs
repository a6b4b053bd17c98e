using GeoStage.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GeoStage.Core.Specs;

/// <summary>
/// Reads a topology file into an <see cref="EnvironmentSpec"/>. Walks the YAML node tree rather than
/// deserializing so that every value keeps its position and every unknown key is reported.
/// </summary>
public sealed partial class SpecReader
{
    internal static readonly string[] TopKeys = ["name", "wan", "sites", "nodes", "overlay", "workloads", "balancers"];
    internal static readonly string[] SiteKeys = ["name", "cidr", "router", "gateway", "location"];
    internal static readonly string[] NodeKeys = ["name", "site", "address", "labels"];
    internal static readonly string[] OverlayKeys = ["backend", "topology", "port"];

    private const int MaxErrors = 100;

    private readonly SourceMap _map;
    private readonly List<SpecError> _errors = [];

    private SpecReader(string file)
    {
        _map = new SourceMap(file);
    }

    /// <summary>
    /// Reads YAML <paramref name="text"/>, naming <paramref name="file"/> in errors. Structural errors come back
    /// in <see cref="SpecDocument.Errors"/> so that validation can add its own and report all at once; the
    /// spec is null only when the text is not a YAML mapping at all.
    /// </summary>
    public static SpecDocument Read(string text, string file)
    {
        var reader = new SpecReader(file);
        var spec = reader.ReadDocument(text);
        return new SpecDocument(spec, reader._map, reader._errors);
    }

    private EnvironmentSpec? ReadDocument(string text)
    {
        if (TooLarge(text))
        {
            return null;
        }

        var stream = new YamlStream();
        var parser = new BoundedParser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (SpecLimitException e)
        {
            Error(new SourcePosition(e.Line, e.Column), "", e.Message);
            return null;
        }
        catch (YamlException e)
        {
            var line = (int)Math.Max(1, e.Start.Line);
            var column = (int)Math.Max(1, e.Start.Column);
            var inner = e.InnerException?.Message ?? e.Message;
            Error(new SourcePosition(line, column), "", $"invalid YAML: {Clean(inner)}");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16 throws these, not a YamlException, for some unclosed flow collections (a plain value
            // running onto the next line and followed by ':' inside [ ] or { }), and for event sequences its
            // loader does not expect (found by the fuzz test); point at the last event it parsed.
            var at = parser.Current is { } last ? new SourcePosition((int)last.Start.Line, (int)last.Start.Column) : new SourcePosition(1, 1);
            Error(at, "", "invalid YAML: cannot parse past here; look for an unclosed '[' or '{' or a missing ','");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var at = stream.Documents.Count == 0 ? new SourcePosition(1, 1) : At(stream.Documents[0].RootNode);
            Error(at, "", "the file must be a YAML mapping with keys name, wan, sites and nodes");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            Error(At(stream.Documents[1].RootNode), "", "the file holds more than one YAML document; keep one");
        }

        _map.Add("", At(root));
        var fields = Fields(root, "", TopKeys);
        var name = RequiredScalar(fields, root, "", "name", "the environment's name, e.g. name: seed");
        var wan = RequiredScalar(fields, root, "", "wan", "the WAN between routers as a CIDR, e.g. wan: 10.4.0.0/16");
        var sites = List(fields, root, "", "sites", ReadSite, required: true);
        var nodes = List(fields, root, "", "nodes", ReadNode, required: false);
        var overlay = fields.TryGetValue("overlay", out var overlayNode) ? ReadOverlay(overlayNode) : new OverlaySpec();

        return new EnvironmentSpec { Name = name, Wan = wan, Sites = sites, Nodes = nodes, Overlay = overlay };
    }

    private SiteSpec? ReadSite(YamlNode node, string path)
    {
        var map = Mapping(node, path, "a site: name, cidr and router");
        if (map is null)
        {
            return null;
        }

        var fields = Fields(map, path, SiteKeys);
        return new SiteSpec
        {
            Name = RequiredScalar(fields, node, path, "name", "the site's name, e.g. name: a"),
            Cidr = RequiredScalar(fields, node, path, "cidr", "the site's LAN, e.g. cidr: 192.168.10.0/24"),
            Router = RequiredScalar(fields, node, path, "router", "the router's WAN address, e.g. router: 10.4.0.90"),
            Gateway = OptionalScalar(fields, path, "gateway"),
            Location = OptionalScalar(fields, path, "location"),
        };
    }

    private NodeSpec? ReadNode(YamlNode node, string path)
    {
        var map = Mapping(node, path, "a node: name and site");
        if (map is null)
        {
            return null;
        }

        var fields = Fields(map, path, NodeKeys);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("labels", out var labelNode))
        {
            var labelPath = path + ".labels";
            if (labelNode is YamlMappingNode labelMap && !TooMany(labelMap, labelPath))
            {
                foreach (var (key, value) in labelMap.Children)
                {
                    var keyText = Scalar(key, labelPath, "a label key") ?? "";
                    var itemPath = $"{labelPath}.{keyText}";
                    _map.Add(itemPath, At(value));
                    labels[keyText] = Scalar(value, itemPath, "a label value") ?? "";
                }
            }
            else if (labelNode is not YamlMappingNode && !IsNull(labelNode))
            {
                Error(At(labelNode), labelPath, "labels must be a mapping of key: value, e.g. labels: {role: master}");
            }
        }

        return new NodeSpec
        {
            Name = RequiredScalar(fields, node, path, "name", "the node's name, e.g. name: node01"),
            Site = RequiredScalar(fields, node, path, "site", "the name of the site the node is in"),
            Address = OptionalScalar(fields, path, "address"),
            Labels = labels,
        };
    }

    private OverlaySpec ReadOverlay(YamlNode node)
    {
        const string path = "overlay";
        _map.Add(path, At(node));
        if (IsNull(node))
        {
            return new OverlaySpec();
        }

        var map = Mapping(node, path, "the overlay: backend and topology");
        if (map is null)
        {
            return new OverlaySpec();
        }

        var fields = Fields(map, path, OverlayKeys);
        var defaults = new OverlaySpec();
        return new OverlaySpec
        {
            Backend = OptionalScalar(fields, path, "backend") ?? defaults.Backend,
            Topology = OptionalScalar(fields, path, "topology") ?? defaults.Topology,
            Port = OptionalScalar(fields, path, "port"),
        };
    }

    /// <summary>Text beyond <see cref="SpecLimits.MaxFileBytes"/> is refused unparsed: the daemon gets text, not files.</summary>
    private bool TooLarge(string text)
    {
        // Characters, not bytes: a bound the same order of magnitude, checked without encoding anything.
        if (text.Length <= SpecLimits.MaxFileBytes)
        {
            return false;
        }

        Error(new SourcePosition(1, 1), "", $"the text is {SpecFile.TooLarge}");
        return true;
    }

    private void Error(SourcePosition at, string path, string message)
    {
        // A file of a million unknown keys would otherwise print a million lines; the first hundred say enough.
        if (_errors.Count < MaxErrors)
        {
            _errors.Add(new SpecError(_map.File, at.Line, at.Column, path, message));
        }
        else if (_errors.Count == MaxErrors)
        {
            _errors.Add(new SpecError(_map.File, at.Line, at.Column, path, $"more than {MaxErrors} errors; fix these and read again"));
        }
    }

    private static SourcePosition At(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    private static string Clean(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 1, Idx: 20) - (Line: ...): "; the position is ours to print.
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }
}
