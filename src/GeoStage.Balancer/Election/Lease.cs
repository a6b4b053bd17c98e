namespace GeoStage.Balancer.Election;

/// <summary>
/// A lease as its table answers: who holds it, under which term, renewed when, for how long.
/// <see cref="Term"/> is the fencing token: it grows every time the lease changes hands, never on a
/// renewal, so an action stamped with an old term can be told from the current leader's.
/// </summary>
public sealed record LeaseGrant(string Name, string? Holder, long Term, DateTimeOffset RenewedAt, TimeSpan Ttl, bool Granted)
{
    public DateTimeOffset ExpiresAt => RenewedAt + Ttl;
}

/// <summary>Where leases are held: the control daemon's table here, a Kubernetes Lease later.</summary>
public interface ILeaseClient
{
    /// <summary>Takes the lease if it is free or expired, renews it if <paramref name="holder"/> holds it; otherwise refuses.</summary>
    Task<LeaseGrant> AcquireOrRenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Gives the lease up at once, if <paramref name="holder"/> still holds it under <paramref name="term"/>.</summary>
    Task<LeaseGrant> ReleaseAsync(string name, string holder, long term, CancellationToken cancellationToken);
}
