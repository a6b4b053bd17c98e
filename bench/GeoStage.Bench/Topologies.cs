using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GeoStage.Bench;

/// <summary>A topology file to bring up: where it comes from, and the environment name of one run.</summary>
internal sealed record Topology(string Source, string Name, string Yaml);

/// <summary>
/// The topologies under test. Every run gets its own environment name, so a run never collides with a
/// previous one, nor with an environment of the same file brought up by someone else on this machine.
/// </summary>
internal static partial class Topologies
{
    public static Topology Seed(string repo, string name)
    {
        var path = Path.Combine(repo, "examples", "seed.yaml");
        var yaml = File.ReadAllText(path);
        var renamed = TopLevelName().Replace(yaml, $"name: {name}", 1);
        if (renamed == yaml)
        {
            throw new InvalidDataException($"{path} has no top-level 'name:' line to rename");
        }

        return new Topology("examples/seed.yaml", name, renamed);
    }

    /// <summary>As test/GeoStage.Testing's Topologies.Grid: one site per /24, nodes addressed by GeoStage.</summary>
    public static Topology Grid(string name, int sites, int perSite)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"name: {name}\nwan: 10.200.0.0/16\nsites:\n");
        for (var s = 0; s < sites; s++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ name: s{s}, cidr: 10.{s + 1}.0.0/24, router: 10.200.0.{s + 1} }}\n");
        }

        text.Append("nodes:\n");
        for (var s = 0; s < sites; s++)
        {
            for (var n = 0; n < perSite; n++)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - {{ name: s{s}n{n}, site: s{s} }}\n");
            }
        }

        return new Topology($"generated grid, {sites} sites x {perSite} nodes (as Topologies.Grid in test/GeoStage.Testing)", name, text.ToString());
    }

    [GeneratedRegex(@"^name:\s*\S+\s*$", RegexOptions.Multiline)]
    private static partial Regex TopLevelName();
}
