using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests;

/// <summary>Plain forward proxying, CONNECT and credentials, driven by HttpClient as any proxy client would.</summary>
public sealed class ProxyTests(OriginFixture fixture)
{
    private TestOrigin Origin => fixture.Origin;

    private HttpClient Client(InjectorHarness injector, ICredentials? credentials = null) => new(new SocketsHttpHandler
    {
        Proxy = new FixedProxy(new Uri($"http://{injector.Tcp}"), credentials),
        UseProxy = true,
        AllowAutoRedirect = false,
        UseCookies = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustTestCa },
    });

    [Fact(Timeout = 30_000)]
    public async Task A_plain_request_is_forwarded_without_hop_by_hop_fields_and_nothing_Ouinet_is_added()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(
            $"GET {Origin.HttpUrl("/echo?q=1")} HTTP/1.1\r\nHost: wrong.example\r\nConnection: keep-alive, X-Private-Hop\r\n" +
            "X-Private-Hop: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nProxy-Connection: keep-alive\r\n" +
            "TE: trailers\r\nTrailer: X-Foo\r\nUpgrade: websocket\r\nX-Ouinet-Private: true\r\nX-Kept: yes\r\n\r\n");
        var (head, body) = await client.ReadResponseAsync();
        var echoed = Encoding.ASCII.GetString(body);

        Assert.Equal(200, head.StatusCode);
        Assert.StartsWith("GET /echo?q=1\n", echoed, StringComparison.Ordinal);
        Assert.Contains($"Host: 127.0.0.1:{Origin.HttpEndPoint.Port}\n", echoed, StringComparison.Ordinal);
        Assert.Contains("X-Kept: yes\n", echoed, StringComparison.Ordinal);
        foreach (var name in new[] { "Connection", "X-Private-Hop", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Upgrade", "X-Ouinet-Private" })
        {
            Assert.DoesNotContain($"\n{name}:", echoed, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Null(head.Fields.Get("Keep-Alive"));
        Assert.DoesNotContain(head.Fields, f => OuinetHeaders.IsOuinetField(f.Name));
        // The connection stays usable.
        await client.SendAsync($"GET {Origin.HttpUrl("/hello")} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("Hello world!", Encoding.ASCII.GetString((await client.ReadResponseAsync()).Body));
    }

    [Fact(Timeout = 30_000)]
    public async Task Request_bodies_are_streamed_to_the_origin_with_length_or_chunked()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        using var http = Client(injector);
        var ct = TestContext.Current.CancellationToken;
        var payload = PatternBody.Create(300_000);

        using var sized = await http.PostAsync(Origin.HttpUrl("/echo"), new ByteArrayContent(payload), ct);
        var sizedBody = await sized.Content.ReadAsByteArrayAsync(ct);
        Assert.True(sizedBody.AsSpan().EndsWith(payload));

        using var streamed = new StreamContent(new TrickleStream(payload, 7000));
        using var request = new HttpRequestMessage(HttpMethod.Put, Origin.HttpUrl("/echo")) { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.ExpectContinue = true;
        using var chunked = await http.SendAsync(request, ct);
        var chunkedBody = await chunked.Content.ReadAsByteArrayAsync(ct);
        Assert.StartsWith("PUT /echo\n", Encoding.ASCII.GetString(chunkedBody), StringComparison.Ordinal);
        Assert.True(chunkedBody.AsSpan().EndsWith(payload));
    }

    [Fact(Timeout = 30_000)]
    public async Task CONNECT_tunnels_TLS_to_the_https_origin_without_the_injector_seeing_inside()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        using var http = Client(injector);
        var ct = TestContext.Current.CancellationToken;
        var text = await http.GetStringAsync(Origin.HttpsUrl("/hello"), ct);
        Assert.Equal("Hello world!", text);
        var large = await http.GetByteArrayAsync(Origin.HttpsUrl("/bytes/1000000"), ct);
        Assert.Equal(1_000_000, large.Length);
        Assert.True(PatternBody.Matches(large, 0));
    }

    [Fact(Timeout = 30_000)]
    public async Task CONNECT_over_the_TLS_endpoint_tunnels_too()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync(tls: true);
        await client.SendAsync($"CONNECT 127.0.0.1:{Origin.HttpEndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var ct = TestContext.Current.CancellationToken;
        var head = await client.Reader.ReadResponseHeadAsync(ct);
        Assert.Equal(200, head.StatusCode);
        await using var inner = Ouinet.Http.HttpMessageReader.Create(client.Stream, leaveOpen: true);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        var response = await inner.ReadResponseHeadAsync(ct);
        using var body = new MemoryStream();
        await inner.ReadResponseBody(response, "GET").AsStream().CopyToAsync(body, ct);
        Assert.Equal("Hello world!", Encoding.ASCII.GetString(body.ToArray()));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("Basic dXNlcjp3cm9uZw==")]
    [InlineData("Basic !!!")]
    [InlineData("Bearer dXNlcjpwYXNz")]
    public async Task Without_the_right_credentials_every_request_gets_407_and_nothing_is_fetched(string? authorization)
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { Credentials = "user:pass" });
        var marker = Guid.NewGuid().ToString("N");
        var field = authorization is null ? "" : $"Proxy-Authorization: {authorization}\r\n";
        await using var client = await injector.ConnectAsync();
        foreach (var request in new[]
        {
            RawClient.Injection(Origin.HttpUrl($"/hello?{marker}"), field),
            $"GET {Origin.HttpUrl($"/hello?{marker}")} HTTP/1.1\r\nHost: x\r\n{field}\r\n",
            $"CONNECT 127.0.0.1:{Origin.HttpsEndPoint.Port} HTTP/1.1\r\nHost: x\r\n{field}\r\n",
        })
        {
            await client.SendAsync(request);
            var (head, _) = await client.ReadResponseAsync();
            Assert.Equal(407, head.StatusCode);
            Assert.Equal("Basic realm=\"Ouinet injector\"", head.Fields.Get("Proxy-Authenticate"));
        }
        Assert.DoesNotContain(Origin.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task With_the_right_credentials_injection_proxying_and_CONNECT_work_and_liveness_needs_none()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { Credentials = "user:pass" });
        using var http = Client(injector, new NetworkCredential("user", "pass"));
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("Hello world!", await http.GetStringAsync(Origin.HttpUrl("/hello"), ct));
        Assert.Equal("Hello world!", await http.GetStringAsync(Origin.HttpsUrl("/hello"), ct));

        await using var client = await injector.ConnectAsync();
        var uri = Origin.HttpUrl("/hello");
        await client.SendAsync(RawClient.Injection(uri, "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"));
        Assert.Equal("Hello world!", Encoding.ASCII.GetString((await client.ReadSignedAsync(injector.PublicKey, uri)).Body));
        await client.SendAsync("GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync()).Head.StatusCode);
        // The origin never sees the proxy credentials.
        Assert.All(Origin.Requests, r => Assert.Null(r.Header("Proxy-Authorization")));
    }

    private bool TrustTestCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(fixture.Authority.Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    /// <summary>A proxy used for every destination, loopback included.</summary>
    private sealed class FixedProxy(Uri proxy, ICredentials? credentials) : IWebProxy
    {
        public ICredentials? Credentials { get; set; } = credentials;

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
