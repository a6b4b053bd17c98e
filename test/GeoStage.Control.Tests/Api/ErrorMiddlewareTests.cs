using System.Net;
using System.Net.Sockets;
using GeoStage.Control.Api;
using GeoStage.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GeoStage.Control.Tests.Api;

/// <summary>The daemon's outermost request step, on a real Kestrel over a Unix socket: no empty 500s.</summary>
public sealed class ErrorMiddlewareTests
{
    [Fact]
    public async Task UseErrors_EndpointThrowsUnforeseen_AnswersOneLineAndLogsTheStackAtError()
    {
        using var temp = new TempState();
        var socket = Path.Combine(temp.Root, "api.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
        await using var app = builder.Build();
        var log = new ListLogger();
        ControlApi.UseErrors(app, log);
        app.MapGet("/boom", string () => throw new InvalidOperationException("the store is gone"));
        await app.StartAsync();
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            });

            using var answer = await client.GetAsync(new Uri("http://daemon/boom"));
            var body = await answer.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
            Assert.Contains("the daemon could not carry out the request: the store is gone", body, StringComparison.Ordinal);
            Assert.Contains(log.Lines, l => l.StartsWith("Error: GET /boom failed", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
