using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Ouinet.Client.Tests.Support;

namespace Ouinet.Client.Tests.FrontEnd;

/// <summary>The front-end's JSON API and its guards, against a real client (and injector) on loopback.</summary>
public sealed class FrontEndApiTests(OriginFixture fixture)
{
    private string Https(string path) => $"https://{MapResolver.Reachable}:{fixture.Origin.HttpsEndPoint.Port}{path}";

    private static string? Source(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Ouinet-Source", out var values) ? values.Single() : null;

    [Fact(Timeout = 30000)]
    public async Task Status_HasOuinetsFields_TheState_AndACsrfToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector, ct);
        var status = await fe.GetJsonAsync("/api/status");
        foreach (var field in new[] { "auto_refresh", "origin_access", "proxy_access", "injector_access", "distributed_cache", "injector_peers_n", "injector_ready", "max_cached_age", "ouinet_version", "ouinet_build_id", "ouinet_protocol", "state", "logfile", "bridge_announcement", "metrics_enabled", "dns_protocols", "udp_mux_rx_limit", "csrf", "local_cache_size" })
        {
            Assert.True(status.TryGetProperty(field, out _), field);
        }
        Assert.True(status.GetProperty("origin_access").GetBoolean());
        Assert.Equal(6, status.GetProperty("ouinet_protocol").GetInt32());
        Assert.Equal(604800, status.GetProperty("max_cached_age").GetInt64());
        Assert.Contains(status.GetProperty("state").GetString(), new[] { "started", "degraded" });
        Assert.Equal(64, status.GetProperty("csrf").GetString()!.Length);
        Assert.Equal(fe.Client.ProxyEndPoint!.ToString(), status.GetProperty("proxy_endpoint").GetString());
        Assert.Equal($"tcp:{injector.Tcp}", status.GetProperty("injector_endpoint").GetString());
        Assert.Equal(injector.PublicKey.ToHex(), status.GetProperty("injector_pubkey").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("dht").ValueKind);
        Assert.False(status.GetProperty("mechanisms_available").GetProperty("distributed_cache").GetBoolean());
    }

    [Fact(Timeout = 30000)]
    public async Task Endpoints_NameTheProxyAndTheFrontEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        var endpoints = await fe.GetJsonAsync("/api/endpoints");
        Assert.Equal(fe.Client.ProxyEndPoint!.ToString(), endpoints.GetProperty("proxy_endpoint").GetString());
        Assert.Equal(fe.Client.FrontEndEndPoint!.ToString(), endpoints.GetProperty("frontend_tcp_endpoint").GetString());
        Assert.Equal(JsonValueKind.Null, endpoints.GetProperty("frontend_unix_socket_endpoint").ValueKind);
    }

    [Fact(Timeout = 60000)]
    public async Task SwitchingOriginOff_MakesTheNextRequestGoThroughTheInjector_AndIsAnnounced()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector, ct);
        var changes = new List<ClientSwitchState>();
        fe.Client.Switches.Changed += changes.Add;
        var http = fe.Harness.CreateHttpClient();
        using (var before = await http.GetAsync(Https("/hello"), ct))
        {
            Assert.Equal("origin", Source(before));
        }
        using (var post = await fe.PostAsync("/", ("origin_access", "disable")))
        {
            Assert.Equal(HttpStatusCode.Found, post.StatusCode);
            Assert.Equal("./", post.Headers.Location?.ToString());
        }
        Assert.False((await fe.GetJsonAsync("/api/status")).GetProperty("origin_access").GetBoolean());
        using (var after = await http.GetAsync(Https("/hello?second"), ct))
        {
            Assert.Equal("injector", Source(after));
        }
        Assert.False(Assert.Single(changes).OriginAccess);

        using (var back = await fe.PostAsync("/", ("origin_access", "enable"), ("injector_access", "disable")))
        {
            Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        }
        using var third = await http.GetAsync(Https("/hello?third"), ct);
        Assert.Equal("origin", Source(third));
        Assert.False(fe.Client.Switches.Current.InjectorAccess);
    }

    [Fact(Timeout = 30000)]
    public async Task UnknownArgumentOrBadValue_Is400_AndChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        using (var unknown = await fe.PostAsync("/", ("origin_access", "disable"), ("frobnicate", "1")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("unknown argument \"frobnicate\"", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        using (var badValue = await fe.PostAsync("/", ("proxy_access", "maybe")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        }
        using (var badLevel = await fe.PostAsync("/", ("loglevel", "LOUD")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badLevel.StatusCode);
        }
        Assert.True(fe.Client.Switches.Current.OriginAccess);
        Assert.True(fe.Client.Switches.Current.ProxyAccess);
    }

    [Fact(Timeout = 30000)]
    public async Task PostWithoutOrWithAWrongCsrfToken_Is403_AndGetNeverChangesState()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        using (var wrong = await fe.PostAsync("/", [new("origin_access", "disable")], csrf: "0123"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.Contains("csrf token missing or invalid", await wrong.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        using (var missing = await fe.Http.PostAsync(fe.Url("/"), new FormUrlEncodedContent([new("origin_access", "disable")]), ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        }
        using (var json = await fe.Http.PostAsync(fe.Url("/api/groups/pin?name=x"), new StringContent("{}", Encoding.UTF8, "application/json"), ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, json.StatusCode);
        }
        using (var get = await fe.Http.GetAsync(fe.Url("/?origin_access=disable"), ct))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }
        using (var getPin = await fe.Http.GetAsync(fe.Url("/api/groups/pin?name=x"), ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, getPin.StatusCode);
        }
        Assert.True(fe.Client.Switches.Current.OriginAccess);
    }

    [Fact(Timeout = 30000)]
    public async Task AForeignHost_IsRefused_LocalhostAndTheAddressAreServed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        var port = fe.Client.FrontEndEndPoint!.Port;
        foreach (var (host, expected) in new[] { ($"evil.example:{port}", HttpStatusCode.Forbidden), ("127.0.0.1:1", HttpStatusCode.Forbidden), ($"localhost:{port}", HttpStatusCode.OK), ($"127.0.0.1:{port}", HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, fe.Url("/api/status"));
            request.Headers.Host = host;
            using var response = await fe.Http.SendAsync(request, ct);
            Assert.True(expected == response.StatusCode, $"Host {host}: {(int)response.StatusCode}");
            if (expected == HttpStatusCode.Forbidden)
            {
                Assert.DoesNotContain("csrf\"", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            }
        }
    }

    [Fact(Timeout = 30000)]
    public async Task Credentials_WhenSet_AreRequiredForEveryPath()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct, configure: o => o with { FrontEndCredentials = "alice:s3cret" });
        using (var none = await fe.Http.GetAsync(fe.Url("/api/status"), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Basic realm=\"Ouinet client frontend\"", none.Headers.WwwAuthenticate.ToString());
        }
        foreach (var (credentials, expected) in new[] { ("alice:wrong", HttpStatusCode.Unauthorized), ("alice:s3cret", HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, fe.Url("/ca.pem"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            using var response = await fe.Http.SendAsync(request, ct);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task CaPem_IsTheClientsCaCertificate_AndNothingPrivate()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        using var response = await fe.Http.GetAsync(fe.Url("/ca.pem"), ct);
        Assert.Equal("application/x-x509-ca-cert", response.Content.Headers.ContentType?.MediaType);
        var pem = await response.Content.ReadAsStringAsync(ct);
        Assert.DoesNotContain("PRIVATE", pem, StringComparison.Ordinal);
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.Equal(fe.Client.CaCertificate.Thumbprint, certificate.Thumbprint);
        Assert.False(certificate.HasPrivateKey);
        foreach (var path in new[] { "/ssl-ca-key.pem", "/ssl-ca-cert.pem", "/../ssl-ca-key.pem" })
        {
            using var other = await fe.Http.GetAsync(fe.Url(path), ct);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task WithoutAFrontEnd_TheProxyStillServesTheCa_AndNothingElse()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null);
        Assert.Null(harness.Client.FrontEndEndPoint);
        using var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using (var ca = await direct.GetAsync($"http://{harness.Proxy}/ca.pem", ct))
        {
            Assert.Equal("application/x-x509-ca-cert", ca.Content.Headers.ContentType?.MediaType);
            Assert.Equal("front-end", Source(ca));
        }
        using var status = await direct.GetAsync($"http://{harness.Proxy}/api/status", ct);
        Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
        Assert.Equal("Not a proxy request\n", await status.Content.ReadAsStringAsync(ct));
    }

    [Fact(Timeout = 60000)]
    public async Task Groups_AreListed_PinnedAndUnpinned_AndPurgeKeepsOnlyPinnedOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector, ct, configure: o => o with { DisableOriginAccess = true, DisableProxyAccess = true });
        var http = fe.Harness.CreateHttpClient();
        foreach (var path in new[] { "/hello?a", "/hello?b" })
        {
            using var response = await http.GetAsync(Https(path), ct);
            Assert.Equal("injector", Source(response));
        }
        var groups = (await fe.GetJsonAsync("/api/groups")).GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToList();
        Assert.Equal([Https("/hello?a"), Https("/hello?b")], groups.Order(StringComparer.Ordinal));
        var keep = Https("/hello?a");

        using (var pin = await fe.PostAsync("/api/groups/pin?name=" + Uri.EscapeDataString(keep)))
        {
            Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
            Assert.True(JsonDocument.Parse(await pin.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("pinned").GetBoolean());
        }
        Assert.Equal([keep], (await fe.GetJsonAsync("/api/groups/pinned")).GetProperty("pinned_groups").EnumerateArray().Select(g => g.GetString()));
        var one = await fe.GetJsonAsync("/api/groups/pinned?name=" + Uri.EscapeDataString(keep));
        Assert.Equal(keep, one.GetProperty("name").GetString());
        Assert.True(one.GetProperty("pinned").GetBoolean());
        Assert.Contains(keep, await fe.Http.GetStringAsync(fe.Url("/pinned-groups.txt"), ct), StringComparison.Ordinal);

        using (var purge = await fe.PostAsync("/", ("purge_cache", "1")))
        {
            Assert.Equal(HttpStatusCode.Found, purge.StatusCode);
        }
        Assert.Equal(1, fe.Client.Cache!.Store.Count);
        Assert.NotNull(fe.Client.Cache.Store.Find(keep));
        Assert.Equal(1, (await fe.GetJsonAsync("/api/status")).GetProperty("local_cache_entries").GetInt32());

        using (var unpin = await fe.PostAsync("/api/groups/unpin", ("name", keep)))
        {
            Assert.False(JsonDocument.Parse(await unpin.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("pinned").GetBoolean());
        }
        using (var unknown = await fe.PostAsync("/api/groups/pin?name=nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.Equal("error", error.GetProperty("status").GetString());
        }
        using (var noName = await fe.PostAsync("/api/groups/pin"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        }
        using (var emptyName = await fe.Http.GetAsync(fe.Url("/api/groups/pinned?name="), ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, emptyName.StatusCode);
            Assert.Equal("error", JsonDocument.Parse(await emptyName.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("status").GetString());
        }
    }

    [Fact(Timeout = 30000)]
    public async Task LogLevelAndLogFile_SwitchAtRunTime_AndTheLogIsDownloadable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        using (var missing = await fe.Http.GetAsync(fe.Url("/logfile.txt"), ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (var post = await fe.PostAsync("/", ("loglevel", "debug"), ("logfile", "enable")))
        {
            Assert.Equal(HttpStatusCode.Found, post.StatusCode);
        }
        var status = await fe.GetJsonAsync("/api/status");
        Assert.Equal("DEBUG", status.GetProperty("log_level").GetString());
        Assert.True(status.GetProperty("logfile").GetBoolean());
        using (var request = await fe.Harness.CreateHttpClient().GetAsync(Https("/hello"), ct))
        {
            Assert.Equal(HttpStatusCode.OK, request.StatusCode);
        }
        using var log = await fe.Http.GetAsync(fe.Url("/logfile.txt"), ct);
        Assert.Equal("text/plain", log.Content.Headers.ContentType?.MediaType);
        var text = await log.Content.ReadAsStringAsync(ct);
        Assert.Contains("[DEBUG]", text, StringComparison.Ordinal);
        Assert.Contains("[INFO] Ouinet.Client.FrontEnd: Front-end: origin True", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fe.Client.LogFile.Path));
    }

    [Fact(Timeout = 30000)]
    public async Task Dashboard_CountsRequestsBySource_AndListsThemWithTheirVerification()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector, ct, configure: o => o with { DisableOriginAccess = true });
        var http = fe.Harness.CreateHttpClient();
        using (var first = await http.GetAsync(Https("/hello?dash"), ct))
        {
            Assert.Equal("injector", Source(first));
        }
        using (var second = await http.GetAsync(Https("/hello?dash"), ct))
        {
            Assert.Equal("local-cache", Source(second));
        }
        var dashboard = await fe.GetJsonAsync("/api/dashboard");
        Assert.Equal(2, dashboard.GetProperty("requests_total").GetInt64());
        var minutes = dashboard.GetProperty("minutes").EnumerateArray().ToList();
        Assert.Equal(60, minutes.Count);
        Assert.Equal(1, minutes.Sum(m => m.GetProperty("injector").GetInt32()));
        Assert.Equal(1, minutes.Sum(m => m.GetProperty("local-cache").GetInt32()));
        var recent = dashboard.GetProperty("recent").EnumerateArray().ToList();
        Assert.Equal(["local-cache", "injector"], recent.Select(r => r.GetProperty("source").GetString()));
        Assert.All(recent, r => Assert.Equal("verified", r.GetProperty("verification").GetString()));
        Assert.Equal(Https("/hello?dash"), recent[0].GetProperty("uri").GetString());
    }

    [Fact(Timeout = 30000)]
    public async Task ThroughTheProxy_LocalhostIsTheFrontEnd_AndAForeignHostIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        using var proxied = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://{fe.Client.ProxyEndPoint}") { BypassProxyOnLocal = false }, UseProxy = true });
        using (var status = await proxied.GetAsync("http://localhost/api/status", ct))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.Equal("front-end", Source(status));
            Assert.Contains("\"csrf\"", await status.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        using var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var rebound = new HttpRequestMessage(HttpMethod.Get, $"http://{fe.Client.ProxyEndPoint}/api/status");
        rebound.Headers.Host = "evil.example";
        using var refused = await direct.SendAsync(rebound, ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("front-end", Source(refused));
    }

    [Fact(Timeout = 30000)]
    public async Task DistributedCache_NotEnabled_ThenItsStatusIsShown_AndAnUnbootstrappedDhtDegrades()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct);
        Assert.False(fe.Client.Mechanisms.DistributedCache);
        fe.Client.DistributedCache = new FakeDistributedCache(new DistributedCacheSnapshot(false, 12, IPEndPoint.Parse("203.0.113.5:28729"), IPEndPoint.Parse("0.0.0.0:28729"), ["g1", "g2"], 1000, 2000, 3, 1));
        Assert.True(fe.Client.Mechanisms.DistributedCache);
        var status = await fe.GetJsonAsync("/api/status");
        Assert.Equal("degraded", status.GetProperty("state").GetString());
        Assert.Contains("DHT not bootstrapped", status.GetProperty("state_reason").GetString(), StringComparison.Ordinal);
        var dht = status.GetProperty("dht");
        Assert.Equal(12, dht.GetProperty("routing_table_size").GetInt32());
        Assert.Equal("203.0.113.5:28729", dht.GetProperty("public_endpoint").GetString());
        Assert.Equal(2, dht.GetProperty("announced_groups").GetInt32());
        Assert.Equal(["203.0.113.5:28729"], status.GetProperty("public_udp_endpoints").EnumerateArray().Select(e => e.GetString()));
        using (var off = await fe.PostAsync("/", ("distributed_cache", "disable")))
        {
            Assert.Equal(HttpStatusCode.Found, off.StatusCode);
        }
        Assert.False(fe.Client.Mechanisms.DistributedCache);
    }

    [Fact(Timeout = 60000)]
    public async Task TheRealDistributedCache_IsWhatTheFrontEndShows_AndItsSwitchStopsFetching()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = Ouinet.Protocol.Keys.InjectorPrivateKey.Generate();
        // bep5-http with no bootstrap node at all: the DHT runs on its own loopback socket and never bootstraps.
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct, configure: o => o with
        {
            CacheHttpPublicKey = key.PublicKey.ToHex(),
            CacheTypes = ["bep5-http"],
            UdpMuxAddress = IPAddress.Loopback,
            UdpMuxPort = 0,
            BtBootstrapNoDefault = true,
        });
        Assert.NotNull(fe.Client.DistributedCache);
        Assert.True(fe.Client.Mechanisms.DistributedCache);
        var udp = fe.Client.DistributedCache.GetSnapshot().LocalEndPoint!;
        Assert.True(IPAddress.IsLoopback(udp.Address) && udp.Port != 0, udp.ToString());
        var status = await fe.GetJsonAsync("/api/status");
        Assert.Equal("degraded", status.GetProperty("state").GetString());
        Assert.Contains("DHT not bootstrapped", status.GetProperty("state_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, status.GetProperty("dht").GetProperty("routing_table_size").GetInt32());
        using (var off = await fe.PostAsync("/", ("distributed_cache", "disable")))
        {
            Assert.Equal(HttpStatusCode.Found, off.StatusCode);
        }
        Assert.False(fe.Client.Mechanisms.DistributedCache);
        Assert.False(((Ouinet.Client.DistributedCache.DistributedCacheService)fe.Client.DistributedCache).IsEnabled);
        Assert.False((await fe.GetJsonAsync("/api/status")).GetProperty("distributed_cache").GetBoolean());
    }

    [Fact(Timeout = 60000)]
    public async Task AnUnreachableInjector_MakesTheStateDegraded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var key = Ouinet.Protocol.Keys.InjectorPrivateKey.Generate();
        await using var fe = await FrontEndHarness.StartAsync(fixture, injector: null, ct, configure: o => o with { InjectorEndpoint = $"tcp:127.0.0.1:{port}", CacheHttpPublicKey = key.PublicKey.ToHex() });
        // The probe runs at start and every 30 s; one more check now makes the test independent of that timing.
        var probe = await fe.Client.FrontEnd!.Probe!.CheckAsync(ct);
        Assert.False(probe.Reachable);
        var status = await fe.GetJsonAsync("/api/status");
        Assert.False(status.GetProperty("injector_reachable").GetBoolean());
        Assert.Equal("degraded", status.GetProperty("state").GetString());
        Assert.StartsWith("injector unreachable", status.GetProperty("state_reason").GetString(), StringComparison.Ordinal);
    }

    private sealed class FakeDistributedCache(DistributedCacheSnapshot snapshot) : IDistributedCacheStatus
    {
        public DistributedCacheSnapshot GetSnapshot() => snapshot;
    }
}
