using System.Net;
using Ouinet.Client.Tests.Support;

namespace Ouinet.Client.Tests.Proxy;

/// <summary>What fails verification is never stored and never shown as complete.</summary>
public sealed class VerificationTests(OriginFixture fixture)
{
    private string Https(string host, string path) => $"https://{host}:{fixture.Origin.HttpsEndPoint.Port}{path}";

    [Fact(Timeout = 30000)]
    public async Task ATamperedInjectorResponse_IsCut_NeverStored_AndNeverServedLater()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        // Byte 100000 of the injector's answer lies in the second 64 KiB block of a 300000-byte body.
        await using var relay = new TamperingRelay(injector.Tcp, flipAt: 100_000);
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with
        {
            InjectorEndpoint = $"tcp:{relay.EndPoint}",
            DisableOriginAccess = true,
            DisableProxyAccess = true,
        });
        var url = Https(MapResolver.Blocked, "/bytes/300000");
        var http = harness.CreateHttpClient();
        // The head verified, so the browser got a 200; the body is cut where verification failed.
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
            Assert.Equal("injector", MechanismTests.Header(response, "X-Ouinet-Source"));
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        });
        Assert.Equal(1, relay.Flipped);
        Assert.Null(harness.Client.Cache!.Store.Find(url));
        Assert.Equal(0, harness.Client.Cache.Store.Count);
        Assert.Empty(Directory.GetDirectories(Path.Combine(harness.Client.Options.Repository, "data-v3")).SelectMany(Directory.GetDirectories));

        // With the injector out of reach too, nothing (least of all the tampered data) is served from the cache.
        await relay.DisposeAsync();
        using var later = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, later.StatusCode);
        Assert.Equal("3 Resource retrieval failed", MechanismTests.Header(later, "X-Ouinet-Error"));
    }

    [Fact(Timeout = 30000)]
    public async Task AResponseSignedByAnotherKey_FallsThroughAndIsNotStored()
    {
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var other = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector, o => o with
        {
            CacheHttpPublicKey = other.PublicKey.ToHex(),
            DisableOriginAccess = true,
        });
        var url = Https(MapResolver.Blocked, "/hello");
        using var response = await harness.CreateHttpClient().GetAsync(url, TestContext.Current.CancellationToken);
        // Injection fails verification before any byte is shown; the injector as a plain proxy still answers (unsigned, not stored).
        Assert.Equal("proxy", MechanismTests.Header(response, "X-Ouinet-Source"));
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, harness.Client.Cache!.Store.Count);
    }
}
