using System.Collections.Concurrent;
using System.Diagnostics;
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
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 180_000)]
    public async Task Chromium_LoadsAnHttpsPageWithSubresourcesThroughTheInjector_ThenFromTheCacheAfterOriginAndInjectorStop()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!File.Exists(Chromium) || !File.Exists("/usr/bin/certutil"))
        {
            Assert.Skip("Debian's chromium and libnss3-tools are needed (test.sh installs them).");
        }
        using var authority = new TestCertificateAuthority();
        var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, "--disable-origin-access", "--tls-intercept-port", origin.HttpsEndPoint.Port.ToString(CultureInfo.InvariantCulture));
        using var home = new TempDirectory("e2e-browser-home");
        await TrustInNssAsync(home.Path, client.CaCertificateFile, ct);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Proxy = new Proxy { Server = $"http://{client.Proxy}", Bypass = "*.google.com,*.googleapis.com,*.gstatic.com" },
            Args = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
            // Playwright's Env replaces the browser's whole environment: copy ours and point HOME at the NSS database.
            Env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? ""))
                .Where(e => e.Key != "HOME").Append(new("HOME", home.Path)),
        });
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

    private static async Task TrustInNssAsync(string home, string caFile, CancellationToken cancellationToken)
    {
        var db = Path.Combine(home, ".pki", "nssdb");
        Directory.CreateDirectory(db);
        await RunAsync("certutil", cancellationToken, "-d", $"sql:{db}", "-N", "--empty-password");
        await RunAsync("certutil", cancellationToken, "-d", $"sql:{db}", "-A", "-t", "C,,", "-n", "Ouinet client CA", "-i", caFile);
    }

    private static async Task RunAsync(string program, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {output}");
    }
}
