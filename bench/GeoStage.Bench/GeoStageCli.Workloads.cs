namespace GeoStage.Bench;

/// <summary>The workload commands, each waiting as the CLI does by default until the change has settled.</summary>
internal sealed partial class GeoStageCli
{
    /// <summary>Longer than the CLI's own wait (120 s by default), so that its error, not our kill, says what went wrong.</summary>
    private static readonly TimeSpan s_workloadTimeout = TimeSpan.FromMinutes(3);

    public Task<ChildResult> DeployAsync(string name, string file, CancellationToken cancellationToken) =>
        RunAsync(["deploy", file, "--name", name, "--output", "json"], s_workloadTimeout, cancellationToken);

    public Task<ChildResult> UpdateAsync(string name, string workload, string version, CancellationToken cancellationToken) =>
        RunAsync(["update", workload, "--version", version, "--name", name, "--output", "json"], s_workloadTimeout, cancellationToken);

    public Task<ChildResult> StopAsync(string name, string workload, CancellationToken cancellationToken) =>
        RunAsync(["stop", workload, "--name", name, "--output", "json"], s_workloadTimeout, cancellationToken);

    public Task<ChildResult> NodeAddAsync(string name, string site, string node, CancellationToken cancellationToken) =>
        RunAsync(["node", "add", site, node, "--name", name, "--output", "json"], s_workloadTimeout, cancellationToken);

    public Task<ChildResult> NodeRemoveAsync(string name, string node, CancellationToken cancellationToken) =>
        RunAsync(["node", "remove", node, "--name", name], s_workloadTimeout, cancellationToken);
}
