using System.Net;
using Ouinet.Client.Tests.Support;
using static Ouinet.Client.Tests.Proxy.MechanismTests;

namespace Ouinet.Client.Tests.Proxy;

/// <summary>Fresh hits through the real proxy after their entry was kept open and its browser head serialized.</summary>
public sealed class CacheHitTests(OriginFixture fixture)
{
    [Fact(Timeout = 30000)]
    public async Task AReplacedEntry_IsServedWithItsOwnHead_NotTheOneServedBefore()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = $"https://{MapResolver.Blocked}:{fixture.Origin.HttpsEndPoint.Port}/hello";
        await using var injector = await TestInjector.StartAsync(fixture);
        await using var harness = await ClientHarness.StartAsync(fixture, injector);
        var http = harness.CreateHttpClient();
        string? first;
        using (var injected = await http.GetAsync(url, ct))
        {
            Assert.Equal("injector", Header(injected, "X-Ouinet-Source"));
            first = Header(injected, "X-Ouinet-Injection");
        }
        for (var i = 0; i < 2; i++)
        {
            using var hit = await http.GetAsync(url, ct);
            Assert.Equal("local-cache", Header(hit, "X-Ouinet-Source"));
            Assert.Equal(first, Header(hit, "X-Ouinet-Injection"));
        }

        // Revalidation asked: injected again, and the new injection replaces the stored entry.
        string? second;
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
            using var reinjected = await http.SendAsync(request, ct);
            Assert.Equal("injector", Header(reinjected, "X-Ouinet-Source"));
            second = Header(reinjected, "X-Ouinet-Injection");
            await reinjected.Content.ReadAsByteArrayAsync(ct);
        }
        Assert.NotEqual(first, second);
        using var after = await http.GetAsync(url, ct);
        Assert.Equal("local-cache", Header(after, "X-Ouinet-Source"));
        Assert.Equal(second, Header(after, "X-Ouinet-Injection"));
        Assert.Equal("Hello world!", await after.Content.ReadAsStringAsync(ct));

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(second, Header(head, "X-Ouinet-Injection"));
        Assert.Equal(12, head.Content.Headers.ContentLength);
    }
}
