using GeoStage.Core.Backends;
using GeoStage.Core.State;
using GeoStage.Local;
using GeoStage.Local.Instances;

namespace GeoStage.Cli;

/// <summary>
/// The one place that knows which backends exist: it picks the backend and runtime an environment runs
/// on. Only the local one exists yet (network namespaces and processes on this machine).
/// </summary>
internal static class Places
{
    public static Place Of(StateStore states, EnvironmentState state) =>
        new(new LocalBackend(states, TimeProvider.System), new LocalRuntime(states.EnsureDirectory(state.Name, "instances")));
}
