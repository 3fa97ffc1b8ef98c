using System.Net;
using System.Net.Sockets;
using System.Text;
using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Protocol.Streams;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests;

/// <summary>Each failure gives its error response: no signature, <c>X-Ouinet-Version</c> and <c>X-Ouinet-Error</c>.</summary>
public sealed class ErrorTests(OriginFixture fixture)
{
    private TestOrigin Origin => fixture.Origin;

    private static void AssertError(HttpResponseHead head, int status, string error)
    {
        Assert.Equal(status, head.StatusCode);
        Assert.Equal(error, head.Fields.Get(OuinetHeaders.Error));
        Assert.Equal("6", head.Fields.Get(OuinetHeaders.Version));
        Assert.DoesNotContain(head.Fields, f => OuinetHeaders.IsSignatureField(f.Name) || f.Name.Equals(OuinetHeaders.BlockSignatures, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<HttpResponseHead> InjectAsync(InjectorHarness injector, string uri)
    {
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        return (await client.ReadResponseAsync()).Head;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_name_that_does_not_resolve_is_a_retrieval_failure()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with
        {
            OriginResolver = new SpecExampleTests.MapResolver("other.test", Origin.HttpEndPoint),
        });
        AssertError(await InjectAsync(injector, "http://nowhere.test/"), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unreachable_origin_is_a_retrieval_failure()
    {
        int port;
        using (var unused = new TcpListener(IPAddress.Loopback, 0))
        {
            unused.Start();
            port = ((IPEndPoint)unused.LocalEndpoint).Port;
        }
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        AssertError(await InjectAsync(injector, $"http://127.0.0.1:{port}/"), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_that_stays_silent_times_out_with_504()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { IdleTimeout = TimeSpan.FromMilliseconds(500) });
        AssertError(await InjectAsync(injector, Origin.HttpUrl("/slow")), 504, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_certificate_from_an_untrusted_CA_is_a_retrieval_failure()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { ExtraTrustedCertificates = [] });
        AssertError(await InjectAsync(injector, Origin.HttpsUrl("/hello")), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_certificate_for_another_name_is_a_retrieval_failure_even_from_a_trusted_CA()
    {
        using var certificate = fixture.Authority.IssueServerCertificate("someone-else.test");
        await using var origin = new ScriptedOrigin(ScriptedOrigin.Respond("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray()), certificate);
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        AssertError(await InjectAsync(injector, $"https://localhost:{origin.EndPoint.Port}/"), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_invalid_status_line_is_a_bad_gateway()
    {
        await using var origin = new ScriptedOrigin(ScriptedOrigin.Respond("HTTP/1.1 2x0 Fine\r\n\r\n"u8.ToArray()));
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        AssertError(await InjectAsync(injector, $"http://127.0.0.1:{origin.EndPoint.Port}/"), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_closing_before_answering_is_a_bad_gateway()
    {
        await using var origin = new ScriptedOrigin(ScriptedOrigin.Respond([]));
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        AssertError(await InjectAsync(injector, $"http://127.0.0.1:{origin.EndPoint.Port}/"), 502, "3 Resource retrieval failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_dropping_the_connection_mid_body_cuts_the_signed_stream_which_the_client_sees_as_truncated()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = Origin.HttpUrl("/broken/300000");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        var failure = await Assert.ThrowsAsync<OuinetVerificationException>(() => client.ReadSignedAsync(injector.PublicKey, uri));
        Assert.Equal(OuinetVerificationError.Truncated, failure.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Loopback_and_private_targets_are_refused_by_default_after_resolution()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { AllowPrivateTargets = false });
        var marker = Guid.NewGuid().ToString("N");
        // "localhost" is a name: refused only once resolved (to 127.0.0.1 / ::1).
        AssertError(await InjectAsync(injector, $"http://localhost:{Origin.HttpEndPoint.Port}/hello?{marker}"), 403, "5 Request target not allowed");
        AssertError(await InjectAsync(injector, Origin.HttpUrl($"/hello?{marker}")), 403, "5 Request target not allowed");
        AssertError(await InjectAsync(injector, "http://[::ffff:127.0.0.1]/"), 403, "5 Request target not allowed");

        await using var client = await injector.ConnectAsync();
        await client.SendAsync($"GET {Origin.HttpUrl($"/hello?{marker}")} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertError((await client.ReadResponseAsync()).Head, 403, "5 Request target not allowed");
        await client.SendAsync($"CONNECT localhost:{Origin.HttpsEndPoint.Port} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertError((await client.ReadResponseAsync()).Head, 403, "5 Request target not allowed");
        Assert.DoesNotContain(Origin.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task With_proxying_disabled_plain_requests_and_CONNECT_are_refused_and_injection_works()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { DisableProxy = true });
        await using var client = await injector.ConnectAsync();
        await client.SendAsync($"GET {Origin.HttpUrl("/hello")} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertError((await client.ReadResponseAsync()).Head, 403, "4 Proxy support disabled");
        await client.SendAsync($"CONNECT 127.0.0.1:{Origin.HttpsEndPoint.Port} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertError((await client.ReadResponseAsync()).Head, 403, "4 Proxy support disabled");
        var uri = Origin.HttpUrl("/hello");
        await client.SendAsync(RawClient.Injection(uri));
        Assert.Equal("Hello world!", Encoding.ASCII.GetString((await client.ReadSignedAsync(injector.PublicKey, uri)).Body));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_origin_unreachable_through_the_plain_proxy_also_says_why()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with
        {
            OriginResolver = new SpecExampleTests.MapResolver("other.test", Origin.HttpEndPoint),
        });
        await using var client = await injector.ConnectAsync();
        await client.SendAsync("GET http://nowhere.test/ HTTP/1.1\r\nHost: nowhere.test\r\n\r\n");
        AssertError((await client.ReadResponseAsync()).Head, 502, "3 Resource retrieval failed");
    }
}
