namespace GeoStage.Balancer.Election;

/// <summary>
/// The authority for leases: no multicast, no peer list, only requests to one place. A lease is free
/// when released or when <c>RenewedAt + Ttl</c> has passed on this table's clock; taking a free lease
/// starts a new term. The table's clock decides expiry, so holders need no synchronised clocks: a holder
/// counts its own deadline from when it *sent* its last renewal, which is never after this table
/// received it, and so always lets go first.
/// Concurrency: any thread; one lock guards the table.
/// </summary>
public sealed class LeaseTable : ILeaseClient
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LeaseGrant> _leases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public LeaseTable(TimeProvider time)
    {
        _time = time;
    }

    public LeaseGrant AcquireOrRenew(string name, string holder, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a lease needs a positive time to live");
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var current = _leases.GetValueOrDefault(name);
            if (current is { Holder: not null } && current.Holder != holder && now < current.ExpiresAt)
            {
                return current with { Granted = false };
            }

            var term = current is null ? 1 : current.Holder == holder && now < current.ExpiresAt ? current.Term : current.Term + 1;
            var granted = new LeaseGrant(name, holder, term, now, ttl, true);
            _leases[name] = granted;
            return granted;
        }
    }

    public LeaseGrant Release(string name, string holder, long term)
    {
        lock (_gate)
        {
            var current = _leases.GetValueOrDefault(name) ?? new LeaseGrant(name, null, 0, _time.GetUtcNow(), TimeSpan.Zero, false);
            if (current.Holder != holder || current.Term != term)
            {
                return current with { Granted = false };
            }

            var released = current with { Holder = null, Granted = true, RenewedAt = _time.GetUtcNow(), Ttl = TimeSpan.Zero };
            _leases[name] = released;
            return released;
        }
    }

    /// <summary>
    /// Frees the lease if <paramref name="holder"/> still holds it in <paramref name="term"/>: for the daemon,
    /// when it saw the holder's process die. Null (nothing changed) when it has moved on since, so a late
    /// or repeated revocation never takes the lease from the next holder.
    /// </summary>
    public LeaseGrant? Revoke(string name, string holder, long term)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(name, out var current) || current.Holder != holder || current.Term != term)
            {
                return null;
            }

            var revoked = current with { Holder = null, RenewedAt = _time.GetUtcNow(), Ttl = TimeSpan.Zero };
            _leases[name] = revoked;
            return revoked;
        }
    }

    public LeaseGrant? Get(string name)
    {
        lock (_gate)
        {
            return _leases.GetValueOrDefault(name);
        }
    }

    Task<LeaseGrant> ILeaseClient.AcquireOrRenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        Task.FromResult(AcquireOrRenew(name, holder, ttl));

    Task<LeaseGrant> ILeaseClient.ReleaseAsync(string name, string holder, long term, CancellationToken cancellationToken) =>
        Task.FromResult(Release(name, holder, term));
}
