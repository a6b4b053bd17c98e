using GeoStage.Control.Events;
using GeoStage.Core.Backends;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>
    /// Has the backend restart tunnel ends whose process died, except those an open fault (a missing
    /// device) would make fail again: the repair restarts them with the device back.
    /// </summary>
    private async Task SuperviseTunnelsAsync(CancellationToken cancellationToken)
    {
        var open = _faults.Values.Where(t => t.Open).Select(t => t.Fault).ToList();
        var result = await _backend.SuperviseTunnelsAsync(State, open, cancellationToken).ConfigureAwait(false);
        if (result.Restarted.Count == 0)
        {
            return;
        }

        SaveState(result.State);
        foreach (var restart in result.Restarted)
        {
            Log.TunnelRestarted(_logger, restart.Overlay, restart.Site, restart.Peer, restart.Now, string.Join(' ', restart.Command));
            Emit(EventKind.TunnelRestarted, null, null, $"{restart.Overlay} {restart.Site}->{restart.Peer} was not running ({restart.Was}); restarted as {restart.Now}");
        }
    }
}
