using System.Text;
using Ouinet.Http;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests;

public sealed class InjectionTests(OriginFixture fixture)
{
    private TestOrigin Origin => fixture.Origin;

    [Fact(Timeout = 30_000)]
    public async Task Injection_over_TCP_verifies_and_its_head_is_the_canonical_origin_head()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = Origin.HttpUrl("/hello?canonical");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri, "Cookie: secret=1\r\nAccept-Language: fr\r\n"));
        var result = await client.ReadSignedAsync(injector.PublicKey, uri);

        Assert.Equal("Hello world!", Encoding.ASCII.GetString(result.Body));
        Assert.Equal(200, result.Verified.StatusCode);
        // The same page fetched directly, canonicalized: the signed head carries exactly its fields (Date may tick).
        var canonical = CanonicalResponse.Create(await FetchDirectAsync("/hello"));
        var signedOriginFields = result.Verified.Fields.Where(f => !OuinetHeaders.IsOuinetField(f.Name)).ToList();
        Assert.Equal(canonical.Fields.Select(f => f.Name), signedOriginFields.Select(f => f.Name));
        Assert.Equal(canonical.Fields.Where(f => f.Name != "Date"), signedOriginFields.Where(f => f.Name != "Date"));
        Assert.Null(result.Verified.Fields.Get("Set-Cookie"));
        Assert.Equal(uri, result.Verified.Fields.Get(OuinetHeaders.Uri));
        Assert.Equal("6", result.Verified.Fields.Get(OuinetHeaders.Version));
        Assert.NotNull(result.Stored!.Fields.Get(OuinetHeaders.Sig1));

        // The origin got the canonical request: nothing of the client's but what the spec keeps.
        var seen = Origin.Requests.Last(r => r.PathAndQuery == "/hello?canonical");
        Assert.Null(seen.Header("Cookie"));
        Assert.Null(seen.Header("Accept-Language"));
        Assert.Null(seen.Header(OuinetHeaders.Version));
        Assert.Equal(CanonicalRequest.UserAgent, seen.Header("User-Agent"));
        Assert.Equal("1", seen.Header("DNT"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Injection_over_TLS_pinning_the_repository_certificate_fetches_an_https_origin()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = Origin.HttpsUrl("/bytes/200000");
        await using var client = await injector.ConnectAsync(tls: true);
        await client.SendAsync(RawClient.Injection(uri));
        var result = await client.ReadSignedAsync(injector.PublicKey, uri);

        Assert.Equal(200_000, result.Body.Length);
        Assert.True(PatternBody.Matches(result.Body, 0));
        Assert.Equal("200000", result.Stored!.Fields.Get(OuinetHeaders.DataSize));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_redirect_is_signed_as_it_is_and_not_followed()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var marker = Guid.NewGuid().ToString("N");
        var uri = Origin.HttpUrl($"/redirect?to=/hello/{marker}");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        var result = await client.ReadSignedAsync(injector.PublicKey, uri);

        Assert.Equal(302, result.Verified.StatusCode);
        Assert.Equal($"/hello/{marker}", result.Verified.Fields.Get("Location"));
        Assert.Equal("moved", Encoding.ASCII.GetString(result.Body));
        Assert.DoesNotContain(Origin.Requests, r => r.PathAndQuery.StartsWith($"/hello/{marker}", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_HEAD_injection_gets_the_signed_head_alone_and_the_connection_goes_on()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = Origin.HttpUrl("/bytes/1000");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri, method: "HEAD") + RawClient.Injection(uri));
        var ct = TestContext.Current.CancellationToken;
        var head = await client.Reader.ReadResponseHeadAsync(ct);
        // The head verifies (Sig0); nothing follows it, so there is no Sig1 and nothing to store.
        Assert.True(client.Reader.ReadResponseBody(head, "HEAD").IsCompleted);
        Assert.True(Ouinet.Protocol.Signatures.HttpSignature.TryParse(head.Fields.Get(OuinetHeaders.Sig0), out var sig0, out _));
        Assert.Equal(Ouinet.Protocol.Signatures.HeadVerificationResult.Valid, Ouinet.Protocol.Signatures.HeadSigner.Verify(sig0, injector.PublicKey, head));
        Assert.Equal(uri, head.Fields.Get(OuinetHeaders.Uri));
        var get = await client.ReadSignedAsync(injector.PublicKey, uri);
        Assert.Equal(1000, get.Body.Length);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_error_status_from_the_origin_is_signed_too()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = Origin.HttpUrl("/status/404");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        var result = await client.ReadSignedAsync(injector.PublicKey, uri);
        Assert.Equal(404, result.Verified.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_first_signed_block_leaves_before_the_origin_has_finished()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var gate = Origin.Gate(nameof(The_first_signed_block_leaves_before_the_origin_has_finished));
        var uri = Origin.HttpUrl($"/pause/{nameof(The_first_signed_block_leaves_before_the_origin_has_finished)}?size=300000&at=150000");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        var ct = TestContext.Current.CancellationToken;
        var head = await client.Reader.ReadResponseHeadAsync(ct);
        using var reader = await Ouinet.Protocol.Streams.SignedResponseReader.OpenAsync(head, client.Reader.ReadResponseBody(head, "GET"), injector.PublicKey, null, ct);

        // Block 0 verifies while the origin is still holding back half the body.
        var first = await reader.ReadBlockAsync(ct);
        Assert.NotNull(first);
        Assert.Equal(65536, first.Value.Data.Length);
        await gate.Reached;
        Assert.False(gate.Reached.IsFaulted);
        gate.Open();
        long total = first.Value.Data.Length;
        while (await reader.ReadBlockAsync(ct) is { } block)
        {
            total += block.Data.Length;
        }
        Assert.Equal(300_000, total);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("5", "1 Client's version too low")]
    [InlineData("7", "2 Client's version too high")]
    [InlineData("x", "1 Client's version too low")]
    public async Task A_version_mismatch_is_refused_with_its_code_and_the_clients_version(string version, string error)
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(Origin.HttpUrl("/hello"), version: version));
        var (head, _) = await client.ReadResponseAsync();
        Assert.Equal(400, head.StatusCode);
        Assert.Equal(error, head.Fields.Get(OuinetHeaders.Error));
        Assert.NotNull(head.Fields.Get(OuinetHeaders.Version));
        Assert.Null(head.Fields.Get(OuinetHeaders.Sig0));
        Assert.True(await client.IsClosedAsync());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("POST", "/hello", "")]
    [InlineData("GET", "/hello#fragment", "")]
    [InlineData("GET", "", "HTTP://127.0.0.1")]
    [InlineData("GET", "/relative", "none")]
    public async Task A_request_that_cannot_be_injected_gets_a_clear_400(string method, string path, string prefix)
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var marker = Guid.NewGuid().ToString("N");
        var target = prefix switch
        {
            "" => Origin.HttpUrl(path.Replace("/hello", $"/hello?{marker}", StringComparison.Ordinal)),
            "none" => path,
            _ => $"{prefix}:{Origin.HttpEndPoint.Port}/hello?{marker}",
        };
        await using var client = await injector.ConnectAsync();
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: x\r\nX-Ouinet-Version: 6\r\nContent-Length: 0\r\n\r\n");
        var (head, body) = await client.ReadResponseAsync();
        if (prefix == "none")
        {
            // Origin-form is a request to the injector itself.
            Assert.Equal(404, head.StatusCode);
        }
        else
        {
            Assert.Equal(400, head.StatusCode);
            Assert.Equal("6", head.Fields.Get(OuinetHeaders.Version));
            Assert.NotEmpty(body);
        }
        Assert.DoesNotContain(Origin.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_restricted_injector_injects_matching_URIs_and_refuses_others_and_proxying()
    {
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken, o => o with { Restricted = @"http://127\.0\.0\.1:\d+/hel+o" });
        await using var client = await injector.ConnectAsync();
        var allowed = Origin.HttpUrl("/hello");
        await client.SendAsync(RawClient.Injection(allowed));
        Assert.Equal(200, (await client.ReadSignedAsync(injector.PublicKey, allowed)).Verified.StatusCode);

        await client.SendAsync(RawClient.Injection(Origin.HttpUrl("/hello/more")));
        var (refused, _) = await client.ReadResponseAsync();
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("5 Request target not allowed", refused.Fields.Get(OuinetHeaders.Error));

        await client.SendAsync($"GET {allowed} HTTP/1.1\r\nHost: x\r\n\r\n");
        var (proxy, _) = await client.ReadResponseAsync();
        Assert.Equal(403, proxy.StatusCode);
        Assert.Equal("4 Proxy support disabled", proxy.Fields.Get(OuinetHeaders.Error));
    }

    private async Task<HttpResponseHead> FetchDirectAsync(string path)
    {
        await using var direct = await RawClient.ConnectAsync(Origin.HttpEndPoint, null, TestContext.Current.CancellationToken);
        await direct.SendAsync($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return (await direct.ReadResponseAsync()).Head;
    }
}
