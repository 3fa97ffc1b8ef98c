using System.Net;
using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests.Origin;

public sealed class OriginClientTests
{
    private static readonly byte[] Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();

    /// <summary>Answers up to <paramref name="perConnection"/> requests on each connection, then closes it.</summary>
    private static Func<Stream, CancellationToken, Task> Serve(int perConnection) => async (stream, ct) =>
    {
        for (var i = 0; i < perConnection; i++)
        {
            await ScriptedOrigin.ReadHeadAsync(stream, ct);
            await stream.WriteAsync(Ok, ct);
            await stream.FlushAsync(ct);
        }
    };

    private static async Task<string> GetAsync(OriginClient client, IPEndPoint origin, CancellationToken cancellationToken)
    {
        var head = new HttpRequestHead("GET", "/", HttpProtocolVersion.Http11);
        head.Fields.Add("Host", "127.0.0.1");
        await using var response = await client.SendAsync(
            new OriginRequest { Host = "127.0.0.1", Port = origin.Port, Head = head }, cancellationToken);
        using var body = new MemoryStream();
        await response.Body.AsStream().CopyToAsync(body, cancellationToken);
        return System.Text.Encoding.ASCII.GetString(body.ToArray());
    }

    [Fact(Timeout = 30_000)]
    public async Task Sequential_requests_reuse_one_keep_alive_connection()
    {
        await using var origin = new ScriptedOrigin(Serve(10));
        await using var client = new OriginClient(new OriginClientOptions { AllowPrivateTargets = true });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("ok", await GetAsync(client, origin.EndPoint, TestContext.Current.CancellationToken));
        }
        Assert.Equal(1, origin.Connections);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_pooled_connection_the_origin_closed_is_replaced_without_failing_the_request()
    {
        await using var origin = new ScriptedOrigin(Serve(1));
        await using var client = new OriginClient(new OriginClientOptions { AllowPrivateTargets = true });
        Assert.Equal("ok", await GetAsync(client, origin.EndPoint, TestContext.Current.CancellationToken));
        Assert.Equal("ok", await GetAsync(client, origin.EndPoint, TestContext.Current.CancellationToken));
        Assert.Equal(2, origin.Connections);
    }

    [Fact(Timeout = 30_000)]
    public async Task Loopback_is_refused_before_any_connection_unless_allowed()
    {
        await using var origin = new ScriptedOrigin(Serve(1));
        await using var client = new OriginClient(new OriginClientOptions());
        var e = await Assert.ThrowsAsync<OriginException>(() => GetAsync(client, origin.EndPoint, TestContext.Current.CancellationToken));
        Assert.Equal(OriginError.TargetNotAllowed, e.Error);
        await Assert.ThrowsAsync<OriginException>(() => client.ConnectTunnelAsync("localhost", origin.EndPoint.Port, TestContext.Current.CancellationToken));
        Assert.Equal(0, origin.Connections);
    }
}
