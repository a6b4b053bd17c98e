using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local;

/// <summary>
/// A virtual IP on a LAN: added to an interface and announced with gratuitous ARP (several, spaced, so
/// that one lost frame does not strand a neighbour), or withdrawn. Neighbours' dynamic entries for the
/// address move to the new holder's MAC; GeoStage's own permanent entries never name a VIP.
/// </summary>
public static class Vip
{
    public const string ArpTool = "arping";

    /// <summary>Adds <paramref name="address"/> (a /32) to <paramref name="device"/> in <paramref name="ns"/> (null: this process's namespace) and announces it.</summary>
    public static async Task TakeAsync(string? ns, System.Net.IPAddress address, string device, int announcements, TimeSpan spacing, CancellationToken cancellationToken)
    {
        await Ip.BatchAsync(ns, [$"addr replace {address}/32 dev {device}"], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < announcements; i++)
        {
            if (i > 0)
            {
                await Task.Delay(spacing, cancellationToken).ConfigureAwait(false);
            }

            Announce(ns, address, device);
        }
    }

    /// <summary>
    /// One gratuitous ARP. iputils arping sends at once but then lingers a second before it exits, so it is
    /// not awaited: the frame is out within milliseconds of the start and the process is reaped when it ends.
    /// </summary>
    private static void Announce(string? ns, System.Net.IPAddress address, string device)
    {
        var info = new System.Diagnostics.ProcessStartInfo(ns is null ? ArpTool : Ip.Tool)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arping = ["-U", "-c", "1", "-I", device, address.ToString()];
        foreach (var arg in ns is null ? arping : ["netns", "exec", ns, ArpTool, .. arping])
        {
            info.ArgumentList.Add(arg);
        }

        var process = System.Diagnostics.Process.Start(info) ?? throw new ToolException($"could not start {ArpTool}");
        _ = ReapAsync(process);
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

    /// <summary>Removes the address; harmless when it is not there.</summary>
    public static Task ReleaseAsync(string? ns, System.Net.IPAddress address, string device, CancellationToken cancellationToken) =>
        ToolRunner.RunAsync(Ip.Tool, ns is null ? ["-force", "-batch", "-"] : ["-n", ns, "-force", "-batch", "-"], $"addr del {address}/32 dev {device}\n", cancellationToken);

    /// <summary>True when <paramref name="ns"/> has <paramref name="address"/> on any interface.</summary>
    public static async Task<bool> HeldAsync(string ns, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        var addresses = await Ip.JsonAsync(ns, ["-4", "addr", "show"], cancellationToken).ConfigureAwait(false);
        return addresses.EnumerateArray()
            .SelectMany(link => link.TryGetProperty("addr_info", out var info) ? info.EnumerateArray() : Enumerable.Empty<System.Text.Json.JsonElement>())
            .Any(a => a.TryGetProperty("local", out var local) && local.GetString() == address.ToString());
    }
}
