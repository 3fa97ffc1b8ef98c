using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Playwright;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// Debian's Chromium through Playwright, proxied to a real client process and trusting its CA through an NSS database
/// in a temporary HOME: an HTTPS page with a stylesheet, a script and an image loads through the injector, then again
/// from the client's cache once the origin and the injector are gone.
/// </summary>
public sealed class BrowserTests
{
    [Fact(Timeout = 180_000)]
    public async Task Chromium_LoadsAnHttpsPageWithSubresourcesThroughTheInjector_ThenFromTheCacheAfterOriginAndInjectorStop()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var authority = new TestCertificateAuthority();
        var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--disable-origin-access", "--tls-intercept-port", origin.HttpsEndPoint.Port.ToString(CultureInfo.InvariantCulture));
        using var home = new TempDirectory("e2e-browser-home");
        await Chromium.TrustInNssAsync(home.Path, client.CaCertificateFile, ct);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, client.Proxy, home.Path);
        var url = origin.HttpsUrl("/site/index.html");

        var first = await LoadAsync(browser, url, ct);
        Assert.All(first, s => Assert.Equal("injector", s.Value));

        await injector.Process.KillAsync();
        await origin.DisposeAsync();

        var second = await LoadAsync(browser, url, ct);
        Assert.All(second, s => Assert.Equal("local-cache", s.Value));
        Assert.False(client.Process.HasExited, client.Process.Output);
    }

    /// <summary>Loads the page in a fresh context (no browser cache), checks what it shows, returns each resource's X-Ouinet-Source.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> LoadAsync(IBrowser browser, string url, CancellationToken cancellationToken)
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var sources = new ConcurrentDictionary<string, string>();
        page.Response += (_, response) => sources[response.Url] = response.Headers.GetValueOrDefault("x-ouinet-source", "(none)");
        var main = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        cancellationToken.ThrowIfCancellationRequested();
        Assert.NotNull(main);
        Assert.Equal(200, main.Status);
        Assert.Equal(TestSite.Heading, await page.InnerTextAsync("h1"));
        Assert.Equal(TestSite.ScriptText, await page.InnerTextAsync("#js"));
        Assert.Equal(TestSite.CssColor, await page.EvalOnSelectorAsync<string>("#css", "e => getComputedStyle(e).color"));
        Assert.Equal(2, await page.EvalOnSelectorAsync<int>("#logo", "e => e.naturalWidth"));
        Assert.Equal(4, sources.Count(s => s.Key.Contains("/site/", StringComparison.Ordinal)));
        return sources.Where(s => s.Key.Contains("/site/", StringComparison.Ordinal)).ToDictionary();
    }
}
