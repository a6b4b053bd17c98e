using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;

namespace GeoStage.Local.Tests;

/// <summary>An environment a test brings up in a private state directory, and always takes down.</summary>
internal sealed class Env : IAsyncDisposable
{
    private readonly TempState _temp = new();

    private Env(string yaml, string? openVpn)
    {
        Store = new StateStore(_temp.Root);
        Backend = new LocalBackend(Store, TimeProvider.System, openVpn);
        Model = SpecValidator.Load(yaml, "test.yaml", new HostRoutes().Read());
    }

    public StateStore Store { get; }
    public LocalBackend Backend { get; }
    public EnvironmentModel Model { get; }
    public UpResult? Result { get; private set; }
    public EnvironmentState State => Store.Load(Model.Name) ?? throw new InvalidOperationException("no state");

    public static Env Create(string yaml, string? openVpn = null) => new(yaml, openVpn);

    public async Task<UpResult> UpAsync(bool measureBefore = true)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Result = await Backend.UpAsync(Model, new UpOptions { MeasureBefore = measureBefore, ReadyTimeout = TimeSpan.FromSeconds(45) }, new Progress<UpProgress>(), timeout.Token);
        return Result;
    }

    public IReadOnlyList<string> LeftoverNamespaces() =>
        [.. Ip.ListNamespaces().Where(n => n == LocalNames.Fabric(Model.Name) || n.StartsWith(LocalNames.Fabric(Model.Name) + "_", StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Store.Load(Model.Name) is { } state)
            {
                await Backend.DownAsync(state, CancellationToken.None);
            }
            else
            {
                // Whatever a failed test left under this environment's unique prefix is ours to remove.
                foreach (var ns in LeftoverNamespaces())
                {
                    RootSnapshot.Run("ip", "netns", "del", ns);
                }
            }
        }
        finally
        {
            _temp.Dispose();
        }
    }
}
