using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Playwright;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// The client's front-end page in Debian's Chromium (Playwright), against real <c>ouinet client</c> and
/// <c>ouinet injector</c> processes: live state, the dashboard, the mechanism switches across a restart, the CA
/// download, purge, and a cross-site POST. Screenshots go to <c>screenshots/</c> in the test output folder.
/// </summary>
public sealed class FrontEndBrowserTests
{
    /// <summary>Generous: the machine running the tests may be loaded; the page refreshes every 2 s.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 30_000 };

    private static string Port(IPEndPoint endPoint) => endPoint.Port.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 240_000)]
    public async Task ThePage_ShowsLiveState_ItsPlotFollowsRequests_AndSwitchingOriginOffReroutesTheNextRequest_EvenAfterARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--tls-intercept-port", Port(origin.HttpsEndPoint));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(client.FrontEndUrl);

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("started", Slow);
        await Assertions.Expect(page.Locator("#proxy-endpoint")).ToHaveTextAsync(client.Proxy.ToString());
        await Assertions.Expect(page.Locator("#injector-endpoint")).ToHaveTextAsync($"tcp:{injector.Tcp}");
        await Assertions.Expect(page.Locator("#injector-reachable")).ToHaveTextAsync("reachable", Slow);
        await Assertions.Expect(page.Locator("#dht-off")).ToHaveTextAsync("distributed cache not enabled");
        await Assertions.Expect(page.Locator("#switch-origin_access")).ToHaveAttributeAsync("aria-pressed", "true");
        var plot = page.Locator("#plot-requests svg");
        await Assertions.Expect(plot).ToHaveAttributeAsync("data-total", "0");

        using (var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile))
        {
            Assert.Equal("origin", await SourceAsync(http, origin.HttpsUrl("/hello?first"), ct));
            // The plot and the sources table follow without a reload.
            await Assertions.Expect(plot).ToHaveAttributeAsync("data-total", "1", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#plot-requests rect[data-source=origin]")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#recent tbody tr").First.Locator("td.src")).ToHaveTextAsync("origin", Slow);

            await page.ClickAsync("#switch-origin_access");
            await Assertions.Expect(page.Locator("#switch-origin_access")).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = 30_000 });
            Assert.Equal("injector", await SourceAsync(http, origin.HttpsUrl("/hello?second"), ct));
            await Assertions.Expect(plot).ToHaveAttributeAsync("data-total", "2", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#recent tbody tr").First.Locator("td.src")).ToHaveTextAsync("injector", Slow);
            await Assertions.Expect(page.Locator("#recent tbody tr").First.Locator("td").Nth(5)).ToHaveTextAsync("verified");
        }
        await Chromium.ScreenshotAsync(page, "frontend-dashboard");
        var saved = await File.ReadAllTextAsync(client.Repo.Combine("ouinet-client.saved.conf"), ct);
        Assert.Contains("disable-origin-access = 1", saved, StringComparison.Ordinal);

        // Killed, not stopped: the switch was saved when it was made.
        await client.RestartAsync(ct);
        using (var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile))
        {
            Assert.Equal("injector", await SourceAsync(http, origin.HttpsUrl("/hello?after-restart"), ct));
        }
        await page.GotoAsync(client.FrontEndUrl);
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("started", Slow);
        await Assertions.Expect(page.Locator("#switch-origin_access")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(page.Locator("#switch-injector_access")).ToHaveAttributeAsync("aria-pressed", "true");
    }

    [Fact(Timeout = 240_000)]
    public async Task TheCaFromThePage_MakesChromiumTrustTheClientsLeafCertificates()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--tls-intercept-port", Port(origin.HttpsEndPoint));
        using var playwright = await Playwright.CreateAsync();
        using var home = new TempDirectory("e2e-frontend-home");
        var caFile = Path.Combine(home.Path, "ouinet-ca.pem");
        await using (var plain = await Chromium.LaunchAsync(playwright))
        {
            var page = await plain.NewPageAsync();
            await page.GotoAsync(client.FrontEndUrl);
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#ca-link"));
            await download.SaveAsAsync(caFile);
        }
        using (var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caFile, ct)))
        {
            Assert.True(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
            Assert.False(certificate.HasPrivateKey);
        }
        Assert.DoesNotContain("PRIVATE", await File.ReadAllTextAsync(caFile, ct), StringComparison.Ordinal);

        var url = origin.HttpsUrl("/site/index.html");
        using (var untrusting = new TempDirectory("e2e-frontend-untrusting"))
        {
            await using var browser = await Chromium.LaunchAsync(playwright, client.Proxy, untrusting.Path);
            var page = await browser.NewPageAsync();
            var refused = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync(url));
            Assert.Contains("ERR_CERT_AUTHORITY_INVALID", refused.Message, StringComparison.Ordinal);
        }
        await Chromium.TrustInNssAsync(home.Path, caFile, ct);
        await using (var browser = await Chromium.LaunchAsync(playwright, client.Proxy, home.Path))
        {
            var page = await browser.NewPageAsync();
            var response = await page.GotoAsync(url);
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            Assert.Equal(TestSite.Heading, await page.InnerTextAsync("h1"));
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task PurgeCache_InThePage_EmptiesTheCache()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--disable-origin-access", "--tls-intercept-port", Port(origin.HttpsEndPoint));
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        Assert.Equal("injector", await SourceAsync(http, origin.HttpsUrl("/hello?a"), ct));
        Assert.Equal("injector", await SourceAsync(http, origin.HttpsUrl("/hello?b"), ct));
        Assert.Equal("local-cache", await SourceAsync(http, origin.HttpsUrl("/hello?a"), ct));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync(client.FrontEndUrl);
        await Assertions.Expect(page.Locator("#cache-entries")).ToHaveTextAsync("2", Slow);
        await Assertions.Expect(page.Locator("#groups li")).ToHaveCountAsync(2);
        await page.ClickAsync("#purge");
        await Assertions.Expect(page.Locator("#cache-entries")).ToHaveTextAsync("0", Slow);
        await Chromium.ScreenshotAsync(page, "frontend-purged");

        Assert.Equal("injector", await SourceAsync(http, origin.HttpsUrl("/hello?a"), ct));
    }

    [Fact(Timeout = 240_000)]
    public async Task ACrossSiteFormPost_WithoutTheToken_IsRefused_AndChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var authority = new TestCertificateAuthority();
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        // Another site (served by Playwright itself) whose page posts a form to the front-end on load.
        await page.RouteAsync("http://attacker.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form id=f method=post action=\"{client.FrontEndUrl}\"><input name=origin_access value=disable></form><script>document.getElementById('f').submit()</script>",
        }));
        var posted = page.WaitForResponseAsync(r => r.Url == client.FrontEndUrl && r.Request.Method == "POST");
        await page.GotoAsync("http://attacker.test/");
        var response = await posted;
        Assert.Equal(403, response.Status);
        Assert.Contains("csrf token missing or invalid", await response.TextAsync(), StringComparison.Ordinal);

        using var direct = new HttpClient();
        using var status = JsonDocument.Parse(await direct.GetStringAsync($"{client.FrontEndUrl}api/status", ct));
        Assert.True(status.RootElement.GetProperty("origin_access").GetBoolean());
        Assert.DoesNotContain("disable-origin-access = 1", await File.ReadAllTextAsync(client.Repo.Combine("ouinet-client.saved.conf"), ct), StringComparison.Ordinal);
    }

    private static async Task<string?> SourceAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ProxiedHttp.Header(response, "X-Ouinet-Source");
    }
}
