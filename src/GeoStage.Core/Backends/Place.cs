using GeoStage.Core.Runtime;

namespace GeoStage.Core.Backends;

/// <summary>
/// Where an environment runs, as the control daemon gets it from the CLI (which alone knows the backends):
/// the backend that builds and repairs the network, and the runtime that runs instances on its nodes.
/// </summary>
public sealed record Place(IEnvironmentBackend Backend, IInstanceRuntime Runtime);
