using System.Buffers;
using System.Net.Sockets;

namespace GeoStage.Balancer.Forwarding;

/// <summary>
/// Copies one proxied connection both ways until both directions have ended. A side that finishes
/// sending is passed on as a half-close (Shutdown(Send)) while the other direction keeps flowing; an
/// error on either side, the idle timeout or the proxy's own cancellation closes both.
/// Concurrency: two pumps run at once, one per direction; they share only the cancellation source,
/// the watchdog and the backend's Interlocked counters.
/// </summary>
internal sealed class Forwarder : IDisposable
{
    /// <summary>Full buffers copied in a row before a pump lets other connections run.</summary>
    private const int YieldEvery = 16;

    private readonly BackendState _backend;
    private readonly ProxyCounters _stats;
    private readonly bool _splice;
    private readonly int _bufferSize;
    private readonly CancellationTokenSource _closed;
    private readonly IdleWatchdog _watchdog;

    private Forwarder(BackendState backend, ProxyCounters stats, TcpProxyOptions options, CancellationToken cancellationToken)
    {
        _backend = backend;
        _stats = stats;
        _splice = options.Splice && OperatingSystem.IsLinux();
        _bufferSize = options.BufferSize;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _watchdog = new IdleWatchdog(options.IdleTimeout, options.TimeProvider, _closed);
    }

    /// <summary>Returns when both directions have ended; the caller closes the sockets.</summary>
    public static async Task RunAsync(Socket client, Socket upstream, BackendState backend, ProxyCounters stats, TcpProxyOptions options, CancellationToken cancellationToken)
    {
        using var forwarder = new Forwarder(backend, stats, options, cancellationToken);
        var toBackend = forwarder.PumpAsync(client, upstream, toBackend: true, forwarder._closed.Token);
        var toClient = forwarder.PumpAsync(upstream, client, toBackend: false, forwarder._closed.Token);
        await Task.WhenAll(toBackend, toClient).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        _closed.Dispose();
    }

    private enum Burst
    {
        /// <summary>The source has nothing more now.</summary>
        Quiet,

        /// <summary>The source kept the buffer full: a bulk transfer.</summary>
        Bulk,

        /// <summary>The source ended its stream.</summary>
        Ended,
    }

    private async Task PumpAsync(Socket source, Socket destination, bool toBackend, CancellationToken cancellationToken)
    {
        SplicePipe? pipe = null;
        try
        {
            var burst = Burst.Quiet;
            while (burst != Burst.Ended)
            {
                burst = pipe is null
                    ? await CopyBurstAsync(source, destination, toBackend, cancellationToken).ConfigureAwait(false)
                    : await SpliceBurstAsync(pipe, source, destination, toBackend, cancellationToken).ConfigureAwait(false);

                // A read that fills the whole buffer means a bulk transfer: from then on this direction
                // moves through the kernel, where it pays; small exchanges stay on the cheaper copy.
                if (burst == Burst.Bulk && _splice && pipe is null)
                {
                    pipe = SplicePipe.TryOpen(source, destination);
                }
            }

            destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset, idle or shutting down: a connection half broken is of no use to either side.
            await _closed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            pipe?.Dispose();
        }
    }

    /// <summary>
    /// Waits for data, then splices it through the pipe for as long as there is more. Ended at the end of
    /// the stream, Bulk otherwise (this direction stays on splice).
    /// </summary>
    private async Task<Burst> SpliceBurstAsync(SplicePipe pipe, Socket source, Socket destination, bool toBackend, CancellationToken cancellationToken)
    {
        await source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        for (var moves = 1; ; moves++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var moved = pipe.Fill(source);
            if (moved <= 0)
            {
                return moved == 0 ? Burst.Ended : Burst.Bulk;
            }

            _watchdog.Touch();
            await pipe.DrainAsync(destination, moved, _bufferSize, cancellationToken).ConfigureAwait(false);
            _backend.CountBytes(toBackend, (int)moved);
            _stats.AddSpliced(moved);
            if (moves % YieldEvery == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// Waits for data without holding a buffer (a zero-byte receive), then copies for as long as reads
    /// fill the buffer. An idle connection so holds no memory, however many there are. Ended at the end of
    /// the stream, Bulk when a read filled the buffer and splice may take over, else Quiet.
    /// </summary>
    private async Task<Burst> CopyBurstAsync(Socket source, Socket destination, bool toBackend, CancellationToken cancellationToken)
    {
        await source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(_bufferSize);
        try
        {
            int read;
            var reads = 0;
            do
            {
                // A fast pair can have data ready at every read, so this loop would never give its thread
                // back; with socket completions run inline that thread serves every other connection too.
                if (++reads % YieldEvery == 0)
                {
                    await Task.Yield();
                }

                read = await source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return Burst.Ended;
                }

                // Stamped before the bytes go on, so whoever sees them knows the stamp is there. A write
                // stalled by a peer that does not read is not activity: such a connection may idle out.
                _watchdog.Touch();

                // Awaiting the write before reading again is the backpressure: a slow reader stalls its writer.
                await SendAllAsync(destination, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                _backend.CountBytes(toBackend, read);
                if (read == buffer.Length && _splice)
                {
                    return Burst.Bulk;
                }
            }
            while (read == buffer.Length);

            return Burst.Quiet;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
