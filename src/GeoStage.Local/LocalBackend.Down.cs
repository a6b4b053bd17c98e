using GeoStage.Core.Processes;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

public sealed partial class LocalBackend
{
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Ends the recorded processes and any other process still inside one of the environment's namespaces
    /// (those namespaces were checked free when created, so whatever runs there was started in them),
    /// deletes the namespaces, then the state directory. Safe to repeat, and after an up that died anywhere.
    /// </summary>
    public async Task DownAsync(EnvironmentState state, CancellationToken cancellationToken)
    {
        // The control daemon first: it would otherwise restart the tunnels and instances ended below.
        var (supervisors, others) = (state.Processes.Where(p => p.Role == "daemon").ToList(), state.Processes.Where(p => p.Role != "daemon").ToList());
        await Task.WhenAll(supervisors.Select(p => HostProcesses.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(others.Select(p => HostProcesses.StopAsync(p.Pid, p.StartTicks, s_grace, cancellationToken))).ConfigureAwait(false);

        var present = Ip.ListNamespaces();
        var owned = state.Namespaces.Where(present.Contains).ToList();
        var strays = owned.SelectMany(ns => ProcTable.InNamespace(NetNs.Identity(ns)))
            .Where(pid => pid != Environment.ProcessId)
            .Select(pid => (Pid: pid, Ticks: ProcTable.StartTicks(pid)))
            .Where(p => p.Ticks is not null)
            .ToList();
        await Task.WhenAll(strays.Select(p => HostProcesses.StopAsync(p.Pid, p.Ticks!.Value, s_grace, cancellationToken))).ConfigureAwait(false);

        if (owned.Count > 0)
        {
            await Ip.BatchAsync(null, owned.Select(ns => $"netns del {ns}"), cancellationToken).ConfigureAwait(false);
        }

        RemoveSiteSockets(state.Model);
        _store.Delete(state.Name);
    }
}
