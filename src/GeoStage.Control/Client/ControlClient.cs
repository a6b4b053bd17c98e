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

/// <summary>Thrown when no daemon listens for the environment.</summary>
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
}

/// <summary>Talks to an environment's control daemon over its Unix socket.</summary>
public sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _name;

    public ControlClient(StateStore states, string name, TimeSpan? timeout = null)
    {
        _name = name;
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
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
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
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Wire.Options);
        }

        using var response = await Wrap(() => _http.SendAsync(request, cancellationToken)).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
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
            throw new DaemonNotRunningException($"the control daemon of '{_name}' did not answer: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new DaemonNotRunningException($"the control daemon of '{_name}' did not answer within {_http.Timeout.TotalSeconds:0} s", e);
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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

        throw new ControlRequestException(response.StatusCode, error?.Error ?? $"the daemon answered {(int)response.StatusCode}", error?.Errors ?? []);
    }
}
