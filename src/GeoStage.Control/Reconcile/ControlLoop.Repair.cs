using GeoStage.Control.Events;
using GeoStage.Control.Instances;
using GeoStage.Core.Backends;

namespace GeoStage.Control.Reconcile;

public sealed partial class ControlLoop
{
    /// <summary>How often devices and routes are checked: reading them costs one thread and a few /proc files.</summary>
    private static readonly TimeSpan s_repairCheck = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_firstRepairGap = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_maxRepairGap = TimeSpan.FromSeconds(30);

    /// <summary>A fault not seen for this long is forgotten with its backoff: it is a new one when it comes back.</summary>
    private static readonly TimeSpan s_faultForgotten = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_rotationEventGap = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The bound of a tunnel process's or the daemon's own log. Checked every tick (100 ms), so a flooding writer
    /// overshoots it by at most a tick's output before it is rotated, and is restarted within a check.
    /// </summary>
    public const long ProcessLogLimit = 1 << 20;

    private readonly Dictionary<string, FaultTrack> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _processLogRotated = new(StringComparer.Ordinal);
    private DateTimeOffset _devicesCheckedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _checkFailedAt = DateTimeOffset.MinValue;

    /// <summary>A fault as the loop follows it: when first seen, how many repairs so far, when the next may run.</summary>
    private sealed record FaultTrack(Fault Fault, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Attempts, DateTimeOffset NextAttempt, bool Open);

    /// <summary>
    /// Checks the environment's devices and routes and has the backend repair what is due, with backoff per
    /// fault; reports each fault when first seen and each repair or failed repair as an event.
    /// </summary>
    private async Task RepairDevicesAsync(CancellationToken cancellationToken)
    {
        RotateProcessLogs();
        var now = _time.GetUtcNow();
        if (now - _devicesCheckedAt < s_repairCheck)
        {
            return;
        }

        // Checked only when the check and its repairs got through: one that throws is due again next pass, so
        // a lasting failure fails every pass (logged once) instead of looking recovered between checks.
        await CheckAndRepairAsync(now, cancellationToken).ConfigureAwait(false);
        _devicesCheckedAt = now;
    }

    private async Task CheckAndRepairAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<Fault> found;
        try
        {
            found = _backend.Check(State);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The kernel's tables could not be read this time; the next check tries again. Said once a minute.
            if (now - _checkFailedAt > s_rotationEventGap)
            {
                _checkFailedAt = now;
                Emit(EventKind.DeviceCheckFailed, null, null, e.Message);
            }

            return;
        }

        Track(found, now);
        var due = found.Where(f => f.Repairable && now >= _faults[f.Key].NextAttempt).ToList();
        if (found.Count > 0)
        {
            Log.DeviceCheck(_logger, found.Count, due.Count);
        }

        if (due.Count == 0)
        {
            return;
        }

        var result = await _backend.RepairAsync(State, due, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(result.State, State))
        {
            SaveState(result.State);
        }

        foreach (var action in result.Actions)
        {
            var track = _faults[action.Fault.Key];
            var gap = TimeSpan.FromTicks(Math.Min(s_maxRepairGap.Ticks, s_firstRepairGap.Ticks << Math.Min(track.Attempts, 16)));
            _faults[action.Fault.Key] = track with { Attempts = track.Attempts + 1, NextAttempt = _time.GetUtcNow() + gap };
            var seen = (_time.GetUtcNow() - track.FirstSeen).TotalMilliseconds;
            Emit(
                action.Succeeded ? EventKind.DeviceRepaired : EventKind.DeviceRepairFailed,
                null,
                action.Fault.Node,
                action.Succeeded
                    ? $"{action.Fault.Device} of {action.Fault.Owner}: {action.Done} (repair {action.Took.TotalMilliseconds:0} ms, {seen:0} ms after it was seen)"
                    : $"{action.Fault}: repair failed ({action.Error}); next attempt in {gap.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Records what this check found: a new fault is reported, one no longer seen is closed, then forgotten.</summary>
    private void Track(IReadOnlyList<Fault> found, DateTimeOffset now)
    {
        foreach (var fault in found)
        {
            if (_faults.TryGetValue(fault.Key, out var track))
            {
                if (!track.Open)
                {
                    Emit(EventKind.DeviceFault, null, fault.Node, $"{fault} (again)");
                }

                _faults[fault.Key] = track with { Fault = fault, LastSeen = now, Open = true, FirstSeen = track.Open ? track.FirstSeen : now };
            }
            else
            {
                _faults[fault.Key] = new FaultTrack(fault, now, now, 0, now, Open: true);
                Emit(EventKind.DeviceFault, null, fault.Node, fault.ToString());
            }
        }

        var keys = found.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, track) in _faults.Where(t => !keys.Contains(t.Key)).ToList())
        {
            if (now - track.LastSeen > s_faultForgotten)
            {
                _faults.Remove(key);
            }
            else if (track.Open)
            {
                _faults[key] = track with { Open = false };
            }
        }
    }

    /// <summary>Keeps the tunnel processes' and daemon logs under <see cref="ProcessLogLimit"/>; reports a rotation at most once a minute per log.</summary>
    private void RotateProcessLogs()
    {
        foreach (var record in State.Processes)
        {
            if (!LogRotator.RotateIfLarge(record.LogFile, ProcessLogLimit))
            {
                continue;
            }

            var now = _time.GetUtcNow();
            if (!_processLogRotated.TryGetValue(record.LogFile, out var last) || now - last > s_rotationEventGap)
            {
                _processLogRotated[record.LogFile] = now;
                Emit(EventKind.LogRotated, null, null, $"{Path.GetFileName(record.LogFile)} rotated at {ProcessLogLimit >> 20} MiB ({record.Role} pid {record.Pid})");
            }
        }
    }
}
