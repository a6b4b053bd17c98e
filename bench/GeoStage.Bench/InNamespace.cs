using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using GeoStage.Local.Namespaces;

namespace GeoStage.Bench;

/// <summary>
/// Looks from inside a node's namespace without a child process per look (setns through GeoStage.Local's
/// NetNs): whether the namespace holds an address, and one HTTP GET with a short timeout.
/// </summary>
internal static class InNamespace
{
    public static bool Holds(string ns, IPAddress address) =>
        NetNs.Run(ns, () => NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Any(a => a.Address.Equals(address)));

    /// <summary>The body of a 200 answer to GET / at <paramref name="target"/>, or null on any failure or timeout.</summary>
    public static async Task<string?> GetAsync(string ns, IPEndPoint target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var socket = NetNs.Run(ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            await socket.ConnectAsync(target, limit.Token).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {target}\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, limit.Token).ConfigureAwait(false);
            var buffer = new byte[4096];
            var total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, limit.Token).ConfigureAwait(false)) > 0 && total + read < buffer.Length)
            {
                total += read;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, total);
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && body >= 0 ? text[(body + 4)..].Trim() : null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }
}
