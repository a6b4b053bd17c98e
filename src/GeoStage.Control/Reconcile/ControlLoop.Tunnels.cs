using GeoStage.Core.Processes;
using GeoStage.Control.Events;
using GeoStage.Local.Processes;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    private static readonly TimeSpan s_tunnelRestartGap = TimeSpan.FromSeconds(2);

    /// <summary>Restarts a tunnel process that died, with its recorded command, at most once per gap.</summary>
    private Task SuperviseTunnelsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var processes = State.Processes.ToList();
        var changed = false;
        for (var i = 0; i < processes.Count; i++)
        {
            var record = processes[i];
            if (record.Role != "openvpn" || ProcTable.IsAlive(record.Pid, record.StartTicks) || AwaitsRepair(record))
            {
                continue;
            }

            if (_tunnelRestarts.TryGetValue(record.Pid, out var last) && now - last < s_tunnelRestartGap)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var (process, started) = ProcessLauncher.Start(record.Role, record.Namespace, record.Command, record.LogFile);
            process.Dispose();
            _tunnelRestarts[started.Pid] = now;
            processes[i] = started with { Site = record.Site, Peer = record.Peer, Interface = record.Interface };
            changed = true;
            Log.TunnelRestarted(_logger, record.Site, record.Peer, record.Namespace, started.Pid, string.Join(' ', record.Command));
            Emit(EventKind.TunnelRestarted, null, null, $"OpenVPN {record.Site}->{record.Peer} was not running (pid {record.Pid}); restarted as pid {started.Pid}");
        }

        if (changed)
        {
            SaveState(State with { Processes = processes });
        }

        return Task.CompletedTask;
    }
}
