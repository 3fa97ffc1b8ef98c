using System.Net;
using System.Net.Sockets;
using Ouinet.Client.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.Client.Tests.Proxy;

/// <summary>Each mechanism through the real proxy, with a real origin (Kestrel) and a real injector on loopback.</summary>
public sealed class MechanismTests(OriginFixture fixture)
{
    private string Http(string host, string path) => $"http://{host}:{fixture.Origin.HttpEndPoint.Port}{path}";

    private string Https(string host, string path) => $"https://{host}:{fixture.Origin.HttpsEndPoint.Port}{path}";

    [Fact(Timeout = 30000)]
    public async Task HttpPage_WithEverythingEnabled_ComesFromTheOrigin()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector);
        using var response = await harness.CreateHttpClient().GetAsync(Http(MapResolver.Reachable, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("origin", Header(response, "X-Ouinet-Source"));
        Assert.Equal("6", Header(response, "X-Ouinet-Version"));
        Assert.Equal(0, harness.Client.Cache!.Store.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task HttpsPage_IsInterceptedWithALeafFromTheClientCa()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector);
        using var response = await harness.CreateHttpClient().GetAsync(Https(MapResolver.Reachable, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("origin", Header(response, "X-Ouinet-Source"));
    }

    [Fact(Timeout = 30000)]
    public async Task OriginAlone_AnswersReachableSites_AndFailsBlockedOnesWithAnErrorPage()
    {
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null);
        var http = harness.CreateHttpClient();
        using var ok = await http.GetAsync(Https(MapResolver.Reachable, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("origin", Header(ok, "X-Ouinet-Source"));
        using var blocked = await http.GetAsync(Https(MapResolver.Blocked, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, blocked.StatusCode);
        Assert.Equal("3 Resource retrieval failed", Header(blocked, "X-Ouinet-Error"));
        Assert.StartsWith("Failed to retrieve the resource", await blocked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task InjectorAlone_ServesVerifiedContent_WithoutSignatureFields_AndStoresIt()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, DisableProxyAccess = true });
        var url = Https(MapResolver.Reachable, "/hello");
        using var response = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
        Assert.StartsWith("id=", Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("X-Ouinet-Sig", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("X-Ouinet-BSigs", StringComparison.OrdinalIgnoreCase));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        var stored = harness.Client.Cache!.Store.Find(url);
        Assert.NotNull(stored);
        Assert.Equal([url], stored.Groups);
    }

    [Fact(Timeout = 30000)]
    public async Task ProxyAlone_ServesThroughTheInjector_AndStoresNothing()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, DisableInjectorAccess = true });
        using var response = await harness.CreateHttpClient().GetAsync(Http(MapResolver.Blocked, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("proxy", Header(response, "X-Ouinet-Source"));
        Assert.Equal(0, harness.Client.Cache!.Store.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task UnreachableOrigin_FallsThroughToTheInjector()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector);
        using var response = await harness.CreateHttpClient().GetAsync(Https(MapResolver.Blocked, "/bytes/200000"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
        Assert.Equal(PatternBody.Create(200000), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30000)]
    public async Task OriginAndInjectorGone_AFreshPageComesFromTheLocalCache()
    {
        var url = Https(MapResolver.Blocked, "/hello");
        await using var harness = await CachedThroughInjectorAsync(url);
        using var response = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("local-cache", Header(response, "X-Ouinet-Source"));
        Assert.StartsWith("id=", Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
        Assert.Null(Header(response, "X-Ouinet-Warning"));
    }

    [Fact(Timeout = 30000)]
    public async Task OriginAndInjectorGone_AStalePageIsServedWithAWarning()
    {
        var url = Https(MapResolver.Blocked, "/bytes/1000");
        await using var harness = await CachedThroughInjectorAsync(url);
        using var response = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(PatternBody.Create(1000), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("local-cache", Header(response, "X-Ouinet-Source"));
        Assert.StartsWith("Response is stale", Header(response, "X-Ouinet-Warning"), StringComparison.Ordinal);
        Assert.Equal("110 Ouinet \"Response is stale\"", Header(response, "Warning"));
    }

    [Fact(Timeout = 30000)]
    public async Task CachedEntry_ServesTheBrowsersRange()
    {
        var url = Https(MapResolver.Blocked, "/bytes/200000");
        await using var harness = await CachedThroughInjectorAsync(url, o => o with { MaxCachedAge = null });
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100_000, 100_099);
        using var response = await harness.CreateHttpClient().SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 100000-100099/200000", response.Content.Headers.ContentRange?.ToString());
        var part = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(100, part.Length);
        Assert.True(PatternBody.Matches(part, 100_000));
    }

    [Fact(Timeout = 30000)]
    public async Task PrivateRequests_AreProxied_NeverInjectedOrStored()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector);
        using var request = new HttpRequestMessage(HttpMethod.Get, Http(MapResolver.Blocked, "/echo?private=1"));
        request.Headers.Add("X-Ouinet-Private", "true");
        request.Headers.Add("X-Ouinet-Group", "some-group");
        using var response = await harness.CreateHttpClient().SendAsync(request, TestContext.Current.CancellationToken);
        var echoed = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("proxy", Header(response, "X-Ouinet-Source"));
        Assert.DoesNotContain("X-Ouinet", echoed, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, harness.Client.Cache!.Store.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task Post_GoesToTheOriginWithItsBody()
    {
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null);
        using var response = await harness.CreateHttpClient().PostAsync(Https(MapResolver.Reachable, "/echo"), new StringContent("payload"), TestContext.Current.CancellationToken);
        var echoed = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("POST /echo", echoed, StringComparison.Ordinal);
        Assert.EndsWith("payload", echoed, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task Head_ThroughInjection_IsAVerifiedHeadWithoutBody()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, DisableProxyAccess = true });
        using var request = new HttpRequestMessage(HttpMethod.Head, Https(MapResolver.Blocked, "/bytes/1000"));
        using var response = await harness.CreateHttpClient().SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, harness.Client.Cache!.Store.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task ConnectToAPortThatIsNotIntercepted_IsATunnelToTheOrigin()
    {
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null, o => o with { TlsInterceptPorts = [443] });
        var authority = fixture.Authority.Certificate;
        var http = harness.CreateHttpClient(h =>
        {
            h.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ClientHarness.ChainsTo(authority, certificate, errors);
            return h;
        });
        using var response = await http.GetAsync(Https(MapResolver.Reachable, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(response.Headers.Contains("X-Ouinet-Source")); // the client never saw inside
    }

    [Fact(Timeout = 30000)]
    public async Task InjectorOverTls_IsPinnedToItsCertificate()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        var url = Https(MapResolver.Blocked, "/hello");
        await using (var pinned = await ClientHarness.StartAsync(fixture, injector, o => o with { InjectorEndpoint = $"tcp:{injector.Tls}", InjectorTlsCertificateFile = injector.TlsCertificateFile }))
        {
            using var response = await pinned.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
        }
        using var wrong = new TempDirectory("wrong-cert");
        var other = wrong.Combine("other.pem");
        await File.WriteAllTextAsync(other, fixture.Authority.CertificatePem, TestContext.Current.CancellationToken);
        await using var mispinned = await ClientHarness.StartAsync(fixture, injector, o => o with { InjectorEndpoint = $"tcp:{injector.Tls}", InjectorTlsCertificateFile = other });
        using var refused = await mispinned.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("TLS with the injector", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task InjectorConnections_AreReused()
    {
        await using var injector = await TestInjector.StartAsync(fixture, o => o with { Credentials = "user:secret" });
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, InjectorCredentials = "user:secret" });
        var http = harness.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync(Https(MapResolver.Blocked, $"/bytes/{1000 + i}"), TestContext.Current.CancellationToken);
            Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        }
        Assert.Equal(1, harness.Client.Injector!.ConnectionsOpened);
    }

    [Fact(Timeout = 30000)]
    public async Task WrongInjectorCredentials_FailTheInjectorMechanisms()
    {
        await using var injector = await TestInjector.StartAsync(fixture, o => o with { Credentials = "user:secret" });
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, InjectorCredentials = "user:wrong" });
        using var response = await harness.CreateHttpClient().GetAsync(Https(MapResolver.Blocked, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact(Timeout = 30000)]
    public async Task ASilentOrigin_IsRacedByTheInjectorAfterTheDelay()
    {
        // The client's "slow.test" is a socket that accepts and never answers; the injector reaches the real origin.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), fixture.Origin.HttpEndPoint.Port));
        silent.Listen();
        await using var injector = await TestInjector.StartAsync(fixture, o => o with { OriginResolver = new MapResolver(new Dictionary<string, IPAddress> { ["slow.test"] = IPAddress.Loopback }) });
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with
        {
            OriginRaceDelay = TimeSpan.FromMilliseconds(300),
            OriginResolver = new MapResolver(new Dictionary<string, IPAddress> { ["slow.test"] = IPAddress.Parse("127.0.0.3") }),
        });
        var started = DateTime.UtcNow;
        using var response = await harness.CreateHttpClient().GetAsync(Http("slow.test", "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact(Timeout = 30000)]
    public async Task LocalTargets_GoToTheOriginOnly_UnlessPrivateTargetsAreAllowed()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        var url = Http("127.0.0.1", "/hello");
        await using (var strict = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true }))
        {
            using var refused = await strict.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }
        await using var allowed = await ClientHarness.StartAsync(fixture, injector, o => o with { DisableOriginAccess = true, AllowPrivateTargets = true });
        using var response = await allowed.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal("injector", Header(response, "X-Ouinet-Source"));
    }

    [Fact(Timeout = 30000)]
    public async Task RequestsToTheProxyItself_GetTheCaCertificate_OrNotAProxyRequest()
    {
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null);
        using var http = new HttpClient();
        var pem = await http.GetStringAsync($"http://{harness.Proxy}/ca.pem", TestContext.Current.CancellationToken);
        Assert.Equal(harness.Client.CaCertificatePem.Trim(), pem.Trim());
        using var other = await http.GetAsync($"http://{harness.Proxy}/whatever", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal("Not a proxy request\n", await other.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A client that fetched <paramref name="url"/> (blocked origin) through a now stopped injector.</summary>
    private async Task<ClientHarness> CachedThroughInjectorAsync(string url, Func<ClientOptions, ClientOptions>? configure = null)
    {
        var injector = await TestInjector.StartAsync(fixture);
        var harness = await ClientHarness.StartAsync(fixture, injector, configure);
        using (var first = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken))
        {
            Assert.Equal("injector", Header(first, "X-Ouinet-Source"));
            await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        }
        Assert.NotNull(harness.Client.Cache!.Store.Find(url));
        await injector.DisposeAsync();
        return harness;
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}
