using System.Net.Sockets;

namespace GeoStage.Balancer.Interop;

internal static partial class Libc
{
    public const string Name = "libc";
    public const int EAgain = 11;
    private const int ONonBlock = 0x800;
    private const int EPipe = 32;
    private const int EConnReset = 104;

    /// <summary>A failed call's errno as the SocketException the forwarder handles like any socket error.</summary>
    public static SocketException SocketFailure(long errno) => new((int)(errno switch
    {
        EConnReset => SocketError.ConnectionReset,
        EPipe => SocketError.Shutdown,
        _ => SocketError.SocketError,
    }));
}
