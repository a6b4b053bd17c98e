using GeoStage.Local.Namespaces;
using GeoStage.Core.Processes;

namespace GeoStage.Local;

/// <summary>
/// A virtual IP on a LAN: added to an interface and announced with gratuitous ARP (several, spaced, so
/// that one lost frame does not strand a neighbour), or withdrawn. Neighbours' dynamic entries for the
/// address move to the new holder's MAC; GeoStage's own permanent entries never name a VIP.
/// </summary>
public static class Vip
{
    public const string ArpTool = "arping";

    /// <summary>
    /// Adds <paramref name="address"/> (a /32) to <paramref name="device"/> in <paramref name="ns"/> (null: this
    /// process's namespace) and sends the first gratuitous ARP; the holder serves from here on, while
    /// <see cref="AnnounceAsync"/> repeats the announcement.
    /// </summary>
    public static async Task TakeAsync(string? ns, System.Net.IPAddress address, string device, CancellationToken cancellationToken)
    {
        await Ip.BatchAsync(ns, [$"addr replace {address}/32 dev {device}"], cancellationToken).ConfigureAwait(false);
        Announce(ns, address, device);
    }

    /// <summary>
    /// <paramref name="count"/> more gratuitous ARPs, <paramref name="spacing"/> apart (the first after one
    /// spacing), so that one lost frame does not strand a neighbour. Cancel it before releasing the address.
    /// </summary>
    public static async Task AnnounceAsync(string? ns, System.Net.IPAddress address, string device, int count, TimeSpan spacing, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(spacing, cancellationToken).ConfigureAwait(false);
            Announce(ns, address, device);
        }
    }

    /// <summary>
    /// Runs what <see cref="TakeAsync"/> runs, changing nothing, so that the first takeover of a fresh process
    /// does not pay for it: the first `ip` and `arping` processes (their binaries and libraries read from
    /// disk, .NET's process and pipe code compiled), and the same runner and starter code paths. `ip` lists
    /// <paramref name="device"/>'s addresses; arping prints its version (-V) and sends no frame.
    /// </summary>
    public static async Task WarmUpAsync(string? ns, string device, CancellationToken cancellationToken)
    {
        await Ip.BatchAsync(ns, [$"addr show dev {device}"], cancellationToken).ConfigureAwait(false);
        await StartArping(ns, ["-V"]).ConfigureAwait(false);
    }

    /// <summary>
    /// One gratuitous ARP. iputils arping sends at once but then lingers a second before it exits, so it is
    /// not awaited: the frame is out within milliseconds of the start and the process is reaped when it ends.
    /// </summary>
    private static void Announce(string? ns, System.Net.IPAddress address, string device) =>
        _ = StartArping(ns, ["-U", "-c", "1", "-I", device, address.ToString()]);

    /// <summary>Starts arping with <paramref name="arping"/>; the task ends once the process is reaped.</summary>
    private static Task StartArping(string? ns, string[] arping)
    {
        var info = ExternalProgram.StartInfo(ns is null ? ArpTool : Ip.Tool, ns is null ? arping : ["netns", "exec", ns, ArpTool, .. arping], capture: true);
        return ReapAsync(ExternalProgram.Start(info));
    }

    private static async Task ReapAsync(System.Diagnostics.Process process)
    {
        using (process)
        {
            await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Removes the address; harmless when it is not there (someone else removed it first).</summary>
    public static async Task ReleaseAsync(string? ns, System.Net.IPAddress address, string device, CancellationToken cancellationToken)
    {
        try
        {
            await ExternalProgram.RunAsync(Ip.Tool, ns is null ? ["-force", "-batch", "-"] : ["-n", ns, "-force", "-batch", "-"], $"addr del {address}/32 dev {device}\n", cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException e) when (e.Message.Contains("Address not found", StringComparison.Ordinal) || e.Message.Contains("Cannot assign requested address", StringComparison.Ordinal))
        {
            // Already gone: what was asked for.
        }
    }

    /// <summary>True when <paramref name="ns"/> has <paramref name="address"/> on any interface; read in-process, no tool.</summary>
    public static bool Held(string ns, System.Net.IPAddress address) =>
        NetNs.Run(ns, () => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Any(a => a.Address.Equals(address)));
}
