using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GeoStage.Control.Api;
using GeoStage.Control.Daemon;
using GeoStage.Core.State;

namespace GeoStage.Control.Client;

/// <summary>The daemon answered with an error: its message, and one line per problem when it gave them.</summary>
public sealed class ControlRequestException : Exception
{
    public ControlRequestException(HttpStatusCode status, string message, IReadOnlyList<string> errors)
        : base(message)
    {
        Status = status;
        Errors = errors;
    }

    public ControlRequestException()
    {
        Errors = [];
    }

    public ControlRequestException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ControlRequestException(string message, Exception inner)
        : base(message, inner)
    {
        Errors = [];
    }

    public HttpStatusCode Status { get; }
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// Thrown when the daemon gave no answer: none listens for the environment, or (<see cref="Reached"/>) one
/// took the request and then closed the connection or did not answer in time. The message says which:
/// telling a user "not running" about a daemon that is busy or refused the request sends them to restart
/// a healthy daemon. Callers that retry treat both alike.
/// </summary>
public sealed class DaemonNotRunningException : Exception
{
    public DaemonNotRunningException(string message)
        : base(message)
    {
    }

    public DaemonNotRunningException()
    {
    }

    public DaemonNotRunningException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>True when a daemon accepted the connection: it runs, but closed the connection or did not answer in time.</summary>
    public bool Reached { get; init; }
}

/// <summary>Talks to an environment's control daemon over its Unix socket.</summary>
public sealed class ControlClient : IDisposable
{
    /// <summary>Bodies above this are sent only once the daemon agrees (Expect: 100-continue), so that a
    /// refusal (413) is read as the daemon's answer rather than as a connection closed mid-upload.</summary>
    private const long AskFirstAbove = 64 * 1024;

    private readonly HttpClient _http;
    private readonly string _name;
    private readonly string _log;

    public ControlClient(StateStore states, string name, TimeSpan? timeout = null)
    {
        _name = name;
        _log = Path.Combine(states.DirectoryOf(name), "logs", "daemon.log");
        var socket = ControlDaemon.SocketPath(states, name);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct).ConfigureAwait(false);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    s.Dispose();
                    throw new DaemonNotRunningException($"the control daemon of '{name}' is not running ({e.SocketErrorCode}); start it with 'geostage serve --name {name}' or bring the environment up again", e);
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://geostage/"), Timeout = timeout ?? TimeSpan.FromMinutes(5) };
    }

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Get, path, null, cancellationToken);

    public Task<T> PostAsync<T>(string path, object body, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Post, path, body, cancellationToken);

    public Task<T> DeleteAsync<T>(string path, CancellationToken cancellationToken) => SendAsync<T>(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>The response body line by line, as it arrives (events, logs).</summary>
    public async IAsyncEnumerable<string> LinesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await Wrap(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, 0, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        long sent = 0;
        if (body is not null)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Wire.Options);
            sent = bytes.Length;
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.ExpectContinue = sent > AskFirstAbove;
        }

        using var response = await Wrap(() => _http.SendAsync(request, cancellationToken)).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, sent, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(Wire.Options, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<HttpResponseMessage> Wrap(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is DaemonNotRunningException missing)
        {
            throw missing;
        }
        catch (HttpRequestException e)
        {
            // Connecting worked (a failure there is thrown above): the daemon runs, and ended this request.
            throw new DaemonNotRunningException($"the control daemon of '{_name}' closed the connection before answering ({LogHint()})", e) { Reached = true };
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new DaemonNotRunningException($"the control daemon of '{_name}' is running but did not answer within {_http.Timeout.TotalSeconds:0} s; it may still be working on the request ({LogHint()})", e) { Reached = true };
        }
    }

    /// <summary>Where to look: the log of a daemon that up started, or the terminal of one run by 'geostage serve'.</summary>
    private string LogHint() => File.Exists(_log) ? $"see its log at {_log}" : "see the output of its 'geostage serve'";

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, long sent, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ErrorResponse? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync<ErrorResponse>(Wire.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not one of ours: report the status alone.
        }

        var refusal = response.StatusCode == HttpStatusCode.RequestEntityTooLarge
            ? $"the control daemon refused the request as too large ({Size(sent)})"
            : $"the control daemon answered {(int)response.StatusCode} {response.ReasonPhrase}";
        throw new ControlRequestException(response.StatusCode, error?.Error ?? refusal, error?.Errors ?? []);
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MB",
        >= 1024 => $"{bytes / 1024.0:0.0} KB",
        _ => $"{bytes} bytes",
    };
}
