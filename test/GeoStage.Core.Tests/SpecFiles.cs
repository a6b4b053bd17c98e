using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests;

/// <summary>Loads topology text the way the CLI does and reads back what went wrong.</summary>
internal static class SpecFiles
{
    public const string File = "test.yaml";

    public static EnvironmentModel Load(string yaml, params HostNetwork[] hostNetworks) =>
        SpecValidator.Load(yaml, File, hostNetworks);

    public static IReadOnlyList<SpecError> Errors(string yaml, params HostNetwork[] hostNetworks) =>
        Assert.Throws<SpecException>(() => Load(yaml, hostNetworks)).Errors;

    public static SpecError SingleError(string yaml, params HostNetwork[] hostNetworks) =>
        Assert.Single(Errors(yaml, hostNetworks));

    public static void AssertError(SpecError error, int line, int column, string path, string fragment)
    {
        Assert.Equal(File, error.File);
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A host whose root namespace routes exactly the networks it was given.</summary>
internal sealed class FakeHostNetworks(params HostNetwork[] networks) : IHostNetworks
{
    public IReadOnlyList<HostNetwork> Read() => networks;
}
