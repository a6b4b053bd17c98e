using System.Net;
using System.Net.Sockets;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local.Instances;

/// <summary>
/// Runs a workload's health check from inside the instance's own node namespace, so it tests what a
/// peer on that site would reach: a TCP connect, an HTTP GET, or a command that must exit 0.
/// </summary>
public static class HealthChecker
{
    /// <summary>Null when healthy, else why not.</summary>
    public static async Task<string?> CheckAsync(HealthModel health, string ns, EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> instances, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(health.Timeout);
        try
        {
            return health.Kind switch
            {
                HealthKind.Tcp => await TcpAsync(ns, node.Address, health.Port, timeout.Token).ConfigureAwait(false),
                HealthKind.Http => await HttpAsync(ns, Templates.Render(health.Url!, model, workload, node, instances), timeout.Token).ConfigureAwait(false),
                _ => await CommandAsync(ns, health.Command, timeout.Token).ConfigureAwait(false),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {health.Timeout.TotalMilliseconds:0} ms";
        }
        catch (Exception e) when (e is SocketException or IOException or HttpRequestException)
        {
            return e.Message;
        }
    }

    private static async Task<string?> TcpAsync(string ns, IPAddress address, int port, CancellationToken cancellationToken)
    {
        using var socket = NetNs.Run(ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static async Task<string?> HttpAsync(string ns, string url, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = NetNs.Run(ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? null : $"GET {url} answered {(int)response.StatusCode}";
    }

    private static async Task<string?> CommandAsync(string ns, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var info = ExternalProgram.StartInfo("nsenter", [$"--net={Ip.PathOf(ns)}", "--", .. command]);
        var result = await ExternalProgram.CaptureAsync(info, stdin: null, timeout: null, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? null : $"health command exited {result.ExitCode}: {result.Stderr.Trim()}";
    }
}
