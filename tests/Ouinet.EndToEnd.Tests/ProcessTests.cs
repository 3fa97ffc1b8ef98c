using System.Net;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>The real <c>ouinet injector</c> and <c>ouinet client</c> processes with a real origin, all on loopback.</summary>
public sealed class ProcessTests
{
    [Fact(Timeout = 120_000)]
    public async Task HttpAndHttpsPages_GoThroughTheInjectorProcess_AndStayReadableFromTheCacheWhenOriginAndInjectorAreGone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        // The origin is "blocked" for the client: only the injector reaches it.
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--disable-origin-access", "--tls-intercept-port", origin.HttpsEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        var page = origin.HttpsUrl("/site/index.html");
        var plain = origin.HttpUrl("/hello").Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        using (var response = await http.GetAsync(page, ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(TestSite.Heading, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        }
        using (var response = await http.GetAsync(plain, ct))
        {
            Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(ct));
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        }

        await injector.Process.KillAsync();
        await origin.DisposeAsync();

        using (var response = await http.GetAsync(page, ct))
        {
            Assert.Contains(TestSite.Heading, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            Assert.Equal("local-cache", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            Assert.StartsWith("id=", ProxiedHttp.Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
        }
        using (var response = await http.GetAsync(plain, ct))
        {
            Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(ct));
            Assert.Equal("local-cache", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        }
        using (var missing = await http.GetAsync(origin.HttpsUrl("/site/never-fetched.html"), ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, missing.StatusCode);
            Assert.Equal("3 Resource retrieval failed", ProxiedHttp.Header(missing, "X-Ouinet-Error"));
        }
        Assert.False(client.Process.HasExited, client.Process.Output);
    }
}
