using System.Text.Json;
using GeoStage.Core.State;

namespace GeoStage.Control.Api;

/// <summary>The JSON settings of the API, the same as the CLI's --output json.</summary>
public static class Wire
{
    public static JsonSerializerOptions Options => StateJson.Options;

    public static JsonSerializerOptions Compact => StateJson.Compact;
}
