using System.Net;
using System.Net.Sockets;
using GeoStage.Core.Model;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local.Tests;

/// <summary>
/// A keyless sender on an environment's WAN that claims another router's address and port: a veth leg on
/// the WAN bridge inside the environment's fabric namespace, carrying the impersonated router's address,
/// with a static neighbour for its target so that it never announces itself by ARP. The leg lives and dies
/// with the fabric namespace; nothing touches the root namespace.
/// </summary>
internal sealed class Spoofer : IDisposable
{
    private const string Leg = "spoof0";
    private const string BridgePort = "spoof1";

    // OpenVPN's P_CONTROL_HARD_RESET_CLIENT_V2 (opcode 7, key id 0): what a peer sends to start a new session.
    private const byte HardResetClientV2 = 7 << 3;

    private readonly Socket _socket;
    private readonly IPEndPoint _target;
    private long _sent;

    private Spoofer(Socket socket, IPEndPoint target)
    {
        _socket = socket;
        _target = target;
    }

    /// <summary>Packets sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>A spoofer posing as <paramref name="impersonated"/>'s end of <paramref name="tunnel"/>, aiming at <paramref name="target"/>'s end.</summary>
    public static async Task<Spoofer> AttachAsync(EnvironmentModel model, SiteModel impersonated, SiteModel target, TunnelModel tunnel, CancellationToken cancellationToken)
    {
        var fabric = LocalNames.Fabric(model.Name);
        await Ip.BatchAsync(fabric, [
            $"link add {Leg} type veth peer name {BridgePort}",
            $"link set {BridgePort} master {LocalNames.WanBridge} up",
            $"addr add {impersonated.RouterWan}/32 dev {Leg}",
            $"link set {Leg} up",
            $"route add {target.RouterWan}/32 dev {Leg}",
            $"neigh replace {target.RouterWan} lladdr {LocalNames.RouterWanMac(target)} dev {Leg} nud permanent",
        ], cancellationToken);

        // The tunnel's own port as source: OpenVPN without --float drops what comes from another address or port.
        var socket = NetNs.Run(fabric, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(impersonated.RouterWan, tunnel.Port));
            return s;
        });
        return new Spoofer(socket, new IPEndPoint(target.RouterWan, tunnel.Port));
    }

    /// <summary>
    /// Sends hard resets with random session ids, <paramref name="perSecond"/> a second, until cancelled:
    /// each one asks the target to start a new session with a peer that will never complete it.
    /// </summary>
    public async Task FloodAsync(int perSecond, CancellationToken cancellationToken)
    {
        const int TicksPerSecond = 100;
        var packet = new byte[14];
        packet[0] = HardResetClientV2;
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / TicksPerSecond));
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken))
            {
                for (var i = 0; i < perSecond / TicksPerSecond; i++)
                {
                    // Session id (8 bytes) new each time; no acks (1 byte 0); message packet id 0 (4 bytes).
                    Random.Shared.NextBytes(packet.AsSpan(1, 8));
                    await _socket.SendToAsync(packet, _target, cancellationToken);
                    Interlocked.Increment(ref _sent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The flood ends when the test has measured.
        }
    }

    public void Dispose() => _socket.Dispose();
}
