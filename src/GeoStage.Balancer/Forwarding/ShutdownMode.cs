namespace GeoStage.Balancer.Forwarding;

/// <summary>What <see cref="TcpProxy.RunAsync"/> does with established connections once it is cancelled.</summary>
public enum ShutdownMode
{
    /// <summary>Let them finish, for up to <see cref="TcpProxyOptions.DrainTimeout"/>, then close the rest.</summary>
    Drain,

    /// <summary>Close them at once.</summary>
    Close,
}
