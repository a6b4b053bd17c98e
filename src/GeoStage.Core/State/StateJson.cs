using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GeoStage.Core.State;

/// <summary>The one JSON setup for state files and for <c>--output json</c>.</summary>
public static class StateJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new AddressConverter());
        options.Converters.Add(new NetworkConverter());
        return options;
    }

    private sealed class AddressConverter : JsonConverter<IPAddress>
    {
        public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPAddress.Parse(reader.GetString() ?? throw new JsonException("address is null"));

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }

    private sealed class NetworkConverter : JsonConverter<IPNetwork>
    {
        public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPNetwork.Parse(reader.GetString() ?? throw new JsonException("network is null"));

        public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
