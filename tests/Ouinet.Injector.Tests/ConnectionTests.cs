using System.Net.Sockets;
using System.Text;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Protocol.Streams;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests;

/// <summary>Connection handling: liveness, keep-alive and pipelining, garbage, timeouts, many clients, shutdown.</summary>
public sealed class ConnectionTests(OriginFixture fixture)
{
    private TestOrigin Origin => fixture.Origin;

    [Fact(Timeout = 30_000)]
    public async Task Api_ok_answers_200_and_other_requests_to_the_injector_404()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync(tls: true);
        await client.SendAsync("GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\nGET /other HTTP/1.1\r\nHost: x\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        var (ok, body) = await client.ReadResponseAsync();
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("Ouinet.Injector", ok.Fields.Get("Server"));
        Assert.Empty(body);
        Assert.Equal(404, (await client.ReadResponseAsync()).Head.StatusCode);
        Assert.Equal(404, (await client.ReadResponseAsync("OPTIONS")).Head.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Pipelined_requests_of_every_kind_are_answered_in_order_on_one_connection()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync();
        var a = Origin.HttpUrl("/bytes/70000");
        var b = Origin.HttpUrl("/hello");
        await client.SendAsync(
            RawClient.Injection(a) + $"GET {b} HTTP/1.1\r\nHost: x\r\n\r\n" + RawClient.Injection(b) + "GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(70_000, (await client.ReadSignedAsync(injector.PublicKey, a)).Body.Length);
        Assert.Equal("Hello world!", Encoding.ASCII.GetString((await client.ReadResponseAsync()).Body));
        Assert.Equal("Hello world!", Encoding.ASCII.GetString((await client.ReadSignedAsync(injector.PublicKey, b)).Body));
        Assert.Equal(200, (await client.ReadResponseAsync()).Head.StatusCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("NOT HTTP AT ALL\r\n\r\n", 400)]
    [InlineData("GET http://x/ HTTP/1.1\r\nHost: x\r\nBad Field: y\r\n\r\n", 400)]
    [InlineData("GET http://x/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("GET http://x/ HTTP/2.0\r\nHost: x\r\n\r\n", 505)]
    public async Task Garbage_gets_the_parsers_status_and_reason_and_the_connection_closes(string request, int status)
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(request);
        var (head, body) = await client.ReadResponseAsync();
        Assert.Equal(status, head.StatusCode);
        Assert.NotEmpty(body);
        Assert.Equal("close", head.Fields.Get("Connection"));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_head_larger_than_the_limit_is_refused_with_431()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync();
        await client.SendAsync($"GET http://x/ HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 70_000)}\r\n\r\n");
        Assert.Equal(431, (await client.ReadResponseAsync()).Head.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_connection_that_sends_nothing_is_closed_after_the_first_request_timeout()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { FirstRequestTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await injector.ConnectAsync();
        Assert.True(await client.IsClosedAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hundred_clients_at_once_each_get_their_own_verified_injection()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var uri = Origin.HttpUrl($"/bytes/{100_000 + i}?client={i}");
            await using var client = await injector.ConnectAsync(tls: i % 2 == 0);
            await client.SendAsync(RawClient.Injection(uri));
            var result = await client.ReadSignedAsync(injector.PublicKey, uri);
            return (i, result);
        }));
        foreach (var (i, result) in results)
        {
            Assert.Equal(100_000 + i, result.Body.Length);
            Assert.True(PatternBody.Matches(result.Body, 0));
        }
        Assert.Equal(100, results.Select(r => r.result.InjectionId).Distinct().Count());
    }

    [Fact(Timeout = 30_000)]
    public async Task Graceful_stop_lets_a_running_transfer_finish_closes_idle_connections_and_accepts_no_more()
    {
        var name = nameof(Graceful_stop_lets_a_running_transfer_finish_closes_idle_connections_and_accepts_no_more);
        var gate = Origin.Gate(name);
        var uri = Origin.HttpUrl($"/pause/{name}?size=200000&at=100000");
        var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using (injector)
        {
            await using var busy = await injector.ConnectAsync();
            await using var idle = await injector.ConnectAsync();
            await idle.SendAsync("GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n");
            await idle.ReadResponseAsync();
            await busy.SendAsync(RawClient.Injection(uri));
            await gate.Reached;

            var stopping = injector.Server.StopAsync(TimeSpan.FromSeconds(20));
            Assert.True(await idle.IsClosedAsync());
            await Assert.ThrowsAnyAsync<SocketException>(() => RawClient.ConnectAsync(injector.Tcp, null, TestContext.Current.CancellationToken));
            Assert.False(stopping.IsCompleted);

            gate.Open();
            var result = await busy.ReadSignedAsync(injector.PublicKey, uri);
            Assert.Equal(200_000, result.Body.Length);
            await stopping;
            Assert.Equal(0, injector.Server.ConnectionCount);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_transfer_still_running_when_the_grace_time_ends_is_aborted()
    {
        var name = nameof(A_transfer_still_running_when_the_grace_time_ends_is_aborted);
        var gate = Origin.Gate(name);
        var uri = Origin.HttpUrl($"/pause/{name}?size=200000&at=100000");
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var busy = await injector.ConnectAsync();
        await busy.SendAsync(RawClient.Injection(uri));
        await gate.Reached;
        await injector.Server.StopAsync(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAsync<OuinetVerificationException>(() => busy.ReadSignedAsync(injector.PublicKey, uri));
        gate.Open();
    }
}
