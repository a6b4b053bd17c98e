using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

// A toy P2P node for GeoStage's demo: it mines a block now and then and floods it to its peers; a node
// that hears of a longer chain adopts it and floods it on. Every node converges to the same height.
// GET /status answers {"node","version","height","tip","peers":[...],"received","sent"}.
var options = Options.Parse(args);
var node = new Node(options);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
Console.WriteLine($"{options.Name} version {options.Version} listening on {options.Listen}, peers: {string.Join(",", options.Peers)}");
await Task.WhenAll(node.ServeAsync(stop.Token), node.MineAsync(stop.Token));

internal sealed record Options(string Name, IPEndPoint Listen, IReadOnlyList<string> Peers, string Version, TimeSpan Interval)
{
    public static Options Parse(string[] args)
    {
        string Get(string key, string fallback)
        {
            var i = Array.IndexOf(args, key);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        return new Options(
            Get("--name", Environment.MachineName),
            IPEndPoint.Parse(Get("--listen", "0.0.0.0:7000")),
            Get("--peers", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Get("--version", "1"),
            TimeSpan.FromMilliseconds(int.Parse(Get("--interval-ms", "2000"), CultureInfo.InvariantCulture)));
    }
}

internal sealed class Node(Options options)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly object _gate = new();

    // Peers given at start, plus every node that has sent us a block: a node that joins later is
    // learnt by the others as soon as it floods its first block.
    private readonly HashSet<string> _peers = [.. options.Peers];
    private long _height;
    private string _tip = "genesis";
    private long _received;
    private long _sent;

    public async Task MineAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Jitter keeps nodes from mining in lockstep; the longest chain wins either way.
            await Task.Delay(options.Interval + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)options.Interval.TotalMilliseconds)), ct).ConfigureAwait(false);
            long height;
            string tip;
            lock (_gate)
            {
                height = ++_height;
                tip = _tip = $"{options.Name}-{height}";
            }

            Console.WriteLine($"mined block {height} ({tip})");
            await FloodAsync(height, tip, except: null, ct).ConfigureAwait(false);
        }
    }

    public async Task ServeAsync(CancellationToken ct)
    {
        var listener = new TcpListener(options.Listen);
        listener.Start();
        using var registration = ct.Register(listener.Stop);
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client, ct), ct);
        }
    }

    private async Task HandleAsync(TcpClient client, CancellationToken ct)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                var request = await reader.ReadLineAsync(ct).ConfigureAwait(false) ?? "";
                var length = 0;
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { Length: > 0 } header)
                {
                    if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(header[15..].Trim(), CultureInfo.InvariantCulture);
                    }
                }

                var body = new char[length];
                var read = 0;
                while (read < length && await reader.ReadAsync(body.AsMemory(read), ct).ConfigureAwait(false) is var n and > 0)
                {
                    read += n;
                }

                var (status, text) = request.Split(' ') switch
                {
                    ["GET", "/status", ..] => (200, Status()),
                    ["POST", "/block", ..] => (200, await ReceiveAsync(new string(body), client, ct).ConfigureAwait(false)),
                    _ => (404, "{\"error\":\"not found\"}"),
                };
                var payload = Encoding.UTF8.GetBytes(text);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, ct).ConfigureAwait(false);
                await stream.WriteAsync(payload, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException)
            {
                // A peer went away mid-request: nothing to answer.
            }
        }
    }

    private string Status()
    {
        lock (_gate)
        {
            return JsonSerializer.Serialize(new { node = options.Name, version = options.Version, height = _height, tip = _tip, peers = _peers.Order().ToArray(), received = _received, sent = _sent });
        }
    }

    private async Task<string> ReceiveAsync(string body, TcpClient from, CancellationToken ct)
    {
        var parts = body.Split(' ', 3);
        var height = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var tip = parts.Length > 1 ? parts[1] : "?";
        bool adopted;
        lock (_gate)
        {
            _received++;
            if (parts.Length > 2 && parts[2] != options.Listen.ToString())
            {
                _peers.Add(parts[2]);
            }

            adopted = height > _height;
            if (adopted)
            {
                _height = height;
                _tip = tip;
            }
        }

        if (adopted)
        {
            Console.WriteLine($"adopted block {height} ({tip})");
            var sender = (from.Client.RemoteEndPoint as IPEndPoint)?.Address.ToString();
            _ = FloodAsync(height, tip, sender, ct);
        }

        return adopted ? "{\"adopted\":true}" : "{\"adopted\":false}";
    }

    private async Task FloodAsync(long height, string tip, string? except, CancellationToken ct)
    {
        string[] peers;
        lock (_gate)
        {
            peers = [.. _peers];
        }

        await Task.WhenAll(peers.Where(p => except is null || !p.StartsWith(except + ":", StringComparison.Ordinal)).Select(async peer =>
        {
            try
            {
                using var content = new StringContent($"{height} {tip} {options.Listen}");
                using var response = await s_http.PostAsync(new Uri($"http://{peer}/block"), content, ct).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The peer is down or unreachable: it will hear of the chain from the next block.
            }
        })).ConfigureAwait(false);
    }
}
