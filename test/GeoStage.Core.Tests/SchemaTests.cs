using System.Text.Json;
using GeoStage.Core.Specs;
using Xunit;

namespace GeoStage.Core.Tests;

/// <summary>docs/geostage.schema.json, which editors use to complete and check spec files, knows exactly the keys the reader accepts.</summary>
public sealed class SchemaTests
{
    public static TheoryData<string, string[]> Objects() => new()
    {
        { "", SpecReader.TopKeys },
        { "site", SpecReader.SiteKeys },
        { "node", SpecReader.NodeKeys },
        { "overlay", SpecReader.OverlayKeys },
        { "workload", SpecReader.WorkloadKeys },
        { "placement", SpecReader.PlacementKeys },
        { "health", SpecReader.HealthKeys },
        { "rollout", SpecReader.RolloutKeys },
        { "balancer", SpecReader.BalancerKeys },
        { "listener", SpecReader.ListenerKeys },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Schema_Object_HasExactlyTheKeysTheReaderAccepts(string definition, string[] readerKeys)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "geostage.schema.json")));
        var root = schema.RootElement;
        var node = definition switch
        {
            "" => root,
            "overlay" => root.GetProperty("properties").GetProperty("overlay"),
            _ => root.GetProperty("$defs").GetProperty(definition),
        };

        var keys = node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(readerKeys.Order(StringComparer.Ordinal), keys);
        Assert.False(node.GetProperty("additionalProperties").GetBoolean());
    }
}
