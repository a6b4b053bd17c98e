using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoStage.Local.Namespaces;

namespace GeoStage.Local.Probing;

/// <summary>
/// Real ICMP echo probes sent from inside each source namespace, through a raw socket opened there.
/// One socket per source serves all of its targets, so a 100-node matrix (9,900 pairs) costs 100 sockets,
/// not 9,900 ping processes. Replies are matched by the socket's identifier and the target index the
/// request carries in its payload.
/// </summary>
public static class IcmpProber
{
    private const int PayloadSize = 16;

    // Linux socket options: SOL_RAW/ICMP_FILTER keeps everything but echo replies out of the socket, and
    // SO_RCVBUFFORCE (root) lets a burst of replies wait in the socket rather than be dropped.
    private const int SolRaw = 255;
    private const int IcmpFilter = 1;
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;
    private const int ReceiveBuffer = 4 << 20;
    private static readonly TimeSpan s_lastReplies = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_idleStep = TimeSpan.FromMilliseconds(20);

    // Targets taken from the schedule at a time: small enough that retries due meanwhile are not kept
    // waiting behind a whole first round.
    private const int SendBatch = 32;

    /// <summary>Longest wait before a pair is asked again (the wait doubles from <see cref="ProbeOptions.Interval"/> up to this).</summary>
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(1);

    /// <summary>Packets per second all sources together may send; bursts beyond this overflow the tunnels' queues.</summary>
    public const double DefaultRate = 20_000;

    public static async Task<IReadOnlyList<ProbeResult>> ProbeAsync(IReadOnlyList<ProbeTarget> targets, ProbeOptions options, CancellationToken cancellationToken)
    {
        var groups = targets.Select((t, i) => (Target: t, Index: i)).GroupBy(x => x.Target.FromNamespace).ToList();
        var results = new ProbeResult[targets.Count];
        var pacer = new Pacer(options.Rate);
        await Task.WhenAll(groups.Select(async (group, source) =>
        {
            var items = group.ToList();
            var found = await ProbeFromAsync(group.Key, [.. items.Select(x => x.Target)], source, options, pacer, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < items.Count; i++)
            {
                results[items[i].Index] = found[i];
            }
        })).ConfigureAwait(false);
        return results;
    }

    private static async Task<ProbeResult[]> ProbeFromAsync(string ns, ProbeTarget[] targets, int source, ProbeOptions options, Pacer pacer, CancellationToken cancellationToken)
    {
        using var socket = NetNs.Run(ns, OpenSocket);
        var session = new Session(targets, (ushort)Random.Shared.Next(1, ushort.MaxValue), pacer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveAsync(socket, session, stop.Token);
        var schedule = new RetrySchedule([.. targets.Select(t => t.MaxAttempts ?? 0)], options.Interval, s_maxRetry, source);
        try
        {
            if (options.UntilReachableWithin is { } within)
            {
                await SendUntilReachableAsync(socket, session, schedule, within, options.Window, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SendRoundsAsync(socket, session, schedule.Order, options, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
        }

        return session.Results();
    }

    /// <summary>Measure mode: <see cref="ProbeOptions.Count"/> rounds to every target, each round in the spread <paramref name="order"/>.</summary>
    private static async Task SendRoundsAsync(Socket socket, Session session, IReadOnlyList<int> order, ProbeOptions options, CancellationToken cancellationToken)
    {
        for (var round = 0; round < options.Count; round++)
        {
            if (round > 0)
            {
                await Task.Delay(options.Interval, cancellationToken).ConfigureAwait(false);
            }

            foreach (var i in order)
            {
                await SendAsync(socket, session, i, cancellationToken).ConfigureAwait(false);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            await session.AllAnswered(options.Count).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The rest did not answer in time: they count as lost.
        }
    }

    private static Socket OpenSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        try
        {
            socket.SetRawSocketOption(SolRaw, IcmpFilter, BitConverter.GetBytes(~1u));
            socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(ReceiveBuffer));
        }
        catch (SocketException)
        {
            // Without the filter or the larger buffer probing still works, only less well under load.
        }

        return socket;
    }

    /// <summary>
    /// Sends to every pair once, then again only to the unanswered ones, each when its own wait is over
    /// (<see cref="RetrySchedule"/>), until all answer, every unanswered pair has had its attempts and their
    /// replies their time, or <paramref name="within"/> has passed.
    /// </summary>
    private static async Task SendUntilReachableAsync(Socket socket, Session session, RetrySchedule schedule, TimeSpan within, int? window, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var inFlight = new InFlight(window ?? int.MaxValue, s_maxRetry);
        while (clock.Elapsed < within && !session.AllReached())
        {
            var due = schedule.Due(clock.Elapsed, session.Reached, SendBatch);
            foreach (var i in due)
            {
                while (!inFlight.TryAdd(i, clock.Elapsed, session.Reached) && clock.Elapsed < within)
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }

                await SendAsync(socket, session, i, cancellationToken).ConfigureAwait(false);
                schedule.Sent(i, clock.Elapsed);
            }

            if (due.Count > 0)
            {
                continue;
            }

            if (schedule.NextDue(session.Reached) is not { } next)
            {
                return;
            }

            // Nothing due now: sleep until the next is, in short steps so that the last reply ends the wait.
            var wait = Min(next - clock.Elapsed, within - clock.Elapsed, s_idleStep);
            if (wait <= TimeSpan.Zero)
            {
                if (schedule.Done(session.Reached))
                {
                    return;
                }

                wait = TimeSpan.FromMilliseconds(1);
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        // Replies to the last requests may still be on their way when time is up.
        var grace = Stopwatch.StartNew();
        while (grace.Elapsed < s_lastReplies && !session.AllReached())
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => a < b ? (a < c ? a : c) : (b < c ? b : c);

    private static async Task SendAsync(Socket socket, Session session, int target, CancellationToken cancellationToken)
    {
        await session.Pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
        var packet = new byte[8 + PayloadSize];
        packet[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), session.Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), session.NextSequence());
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(8), Stopwatch.GetTimestamp());
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(16), target);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        session.MarkSent(target);
        try
        {
            await socket.SendToAsync(packet, SocketFlags.None, new IPEndPoint(session.Targets[target].Address, 0), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // No route or unreachable at send time: the pair is simply not answered.
        }
    }

    private static async Task ReceiveAsync(Socket socket, Session session, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Accept(buffer, length, session, Stopwatch.GetTimestamp());

            // Drain what else is queued without going back through the async machinery for each packet.
            while (socket.Available > 0)
            {
                length = socket.Receive(buffer);
                Accept(buffer, length, session, Stopwatch.GetTimestamp());
            }
        }
    }

    private static void Accept(byte[] buffer, int length, Session session, long now)
    {
        var headerLength = (buffer[0] & 0x0f) * 4;
        var icmp = buffer.AsSpan(headerLength, Math.Max(0, length - headerLength));
        if (icmp.Length < 8 + PayloadSize || icmp[0] != 0 || BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) != session.Identifier)
        {
            return;
        }

        var sentAt = BinaryPrimitives.ReadInt64BigEndian(icmp[8..]);
        var target = BinaryPrimitives.ReadInt32BigEndian(icmp[16..]);
        var source = new IPAddress(buffer.AsSpan(12, 4));
        if (target >= 0 && target < session.Targets.Length && session.Targets[target].Address.Equals(source))
        {
            session.MarkReceived(target, Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds, buffer[8]);
        }
    }

    internal static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) == 1)
        {
            sum += (uint)(data[^1] << 8);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
