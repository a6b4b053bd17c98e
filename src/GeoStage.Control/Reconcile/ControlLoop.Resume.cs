using GeoStage.Control.Events;
using GeoStage.Control.Store;
using GeoStage.Core.Diagnostics;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>
    /// At the daemon's start, before instances are adopted: finishes or undoes each topology change that a
    /// previous daemon began and did not end (it was killed). A node add is finished (every step is
    /// repeatable), and undone only if finishing fails; a site add is undone unless it got to the end,
    /// because its caller was never told it worked and its tunnels cannot be half-kept; removals are
    /// finished. Never throws for one operation: a daemon that cannot start repairs nothing.
    /// </summary>
    private async Task ResumeOperationsAsync(CancellationToken cancellationToken)
    {
        foreach (var operation in Store.Operations())
        {
            try
            {
                await ResumeAsync(operation, cancellationToken).ConfigureAwait(false);
                Store.End(operation);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Left pending: the next start tries again. The environment stays usable meanwhile.
                Emit(EventKind.OperationStuck, null, operation.Node?.Name, $"{operation.Kind} {operation.Target}, interrupted after '{operation.Phase}', could not be finished or undone: {e.Message}; restart the daemon to retry, or 'geostage down'");
            }
        }
    }

    private async Task ResumeAsync(PendingOperation operation, CancellationToken cancellationToken)
    {
        var interrupted = $"interrupted by a daemon restart after '{operation.Phase}'";
        switch (operation.Kind)
        {
            case OperationKinds.NodeAdd when operation.Node is { } node && State.Model.Sites.Any(s => s.Name == node.Site):
                try
                {
                    State = await _backend.AddNodeAsync(State, node, resuming: true, new PhaseRecorder(Store, operation), cancellationToken).ConfigureAwait(false);
                    Emit(EventKind.NodeAdded, null, node.Name, $"site {node.Site}, address {node.Address}; {interrupted}, finished");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The backend has removed what there was of the node.
                    Emit(EventKind.NodeAddUndone, null, node.Name, $"{interrupted}; could not be finished ({e.Message}), so it was undone");
                }

                break;
            case OperationKinds.NodeRemove when State.Model.Nodes.Any(n => n.Name == operation.Target):
                await RemoveNodeCoreAsync(operation.Target, cancellationToken).ConfigureAwait(false);
                break;
            case OperationKinds.SiteAdd when operation.Site is { } site:
                if (operation.Phase == "built" && State.Model.Sites.Any(s => s.Name == site.Name) && _backend.SiteExists(State, site.Name))
                {
                    Emit(EventKind.SiteAdded, null, null, $"site {site.Name} ({site.Cidr}); {interrupted}, kept");
                    break;
                }

                State = await _backend.UndoAddSiteAsync(State, site, operation.Tunnels, cancellationToken).ConfigureAwait(false);
                Emit(EventKind.SiteAddUndone, null, null, $"site {site.Name}: {interrupted}; removed what was created, run 'geostage site add' again");
                break;
            case OperationKinds.SiteRemove when State.Model.Sites.Any(s => s.Name == operation.Target):
                await RemoveSiteCoreAsync(operation.Target, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // Nothing left to do: the change had got through before the daemon died.
                break;
        }
    }

    /// <summary>
    /// A <see cref="TestPause"/> point in synchronous code on the loop: blocking holds the whole loop at that
    /// point, which is what a test that kills the daemon there wants. Costs nothing unless a test set it.
    /// </summary>
    private static void PauseHere(string point)
    {
        TestPause.AtAsync(point, CancellationToken.None).GetAwaiter().GetResult();
    }
}
