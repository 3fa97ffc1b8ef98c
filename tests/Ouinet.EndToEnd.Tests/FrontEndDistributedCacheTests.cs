using System.Net;
using Microsoft.Playwright;
using Ouinet.Client;
using Ouinet.EndToEnd.Tests.Support;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// The front-end's distributed-cache section and plots in Chromium, fed by a stand-in <see cref="IDistributedCacheStatus"/>
/// on an in-process client (the real distributed cache is issue 8's): what the interface reports is what the page shows.
/// </summary>
public sealed class FrontEndDistributedCacheTests
{
    [Fact(Timeout = 120_000)]
    public async Task TheDhtSection_AndThePeerAndDhtPlots_ShowWhatTheDistributedCacheReports_AndAnUnbootstrappedDhtDegrades()
    {
        var ct = TestContext.Current.CancellationToken;
        Chromium.RequireInstalled();
        using var repo = new TempDirectory("e2e-frontend-dht");
        await using var client = new OuinetClient(new ClientOptions
        {
            Repository = repo.Path,
            ListenOnTcp = new IPEndPoint(IPAddress.Loopback, 0),
            FrontEndEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        });
        await client.StartAsync(ct);
        var dht = new StandInDistributedCache();
        client.DistributedCache = dht;
        // Samples are normally taken every 10 s; take a few now, the counters growing between them.
        for (var i = 1; i <= 4; i++)
        {
            dht.Snapshot = dht.Snapshot with { RoutingTableSize = 10 * i, BytesToPeers = 1536 * i, BytesFromPeers = 4096 * i * i, LookupsSucceeded = 3 * i, LookupsFailed = i };
            client.FrontEnd!.Peers.Sample();
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"http://{client.FrontEndEndPoint}/");
        var slow = new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 };
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("started", slow);
        await Assertions.Expect(page.Locator("#dht-off")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#dht-bootstrapped")).ToHaveTextAsync("bootstrapped");
        await Assertions.Expect(page.Locator("#dht-routing-table")).ToHaveTextAsync("40");
        await Assertions.Expect(page.Locator("#dht-public-endpoint")).ToHaveTextAsync("203.0.113.7:28729");
        await Assertions.Expect(page.Locator("#dht-announced")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#bytes-to-peers")).ToHaveTextAsync("6.0 KiB");
        await Assertions.Expect(page.Locator("#bytes-from-peers")).ToHaveTextAsync("64.0 KiB");
        await Assertions.Expect(page.Locator("#note-distributed_cache")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#plot-peers svg polyline")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#plot-dht svg polyline")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#plot-dht svg text").First).ToHaveTextAsync("routing-table size (max 40)");
        await Chromium.ScreenshotAsync(page, "frontend-distributed-cache");

        dht.Snapshot = dht.Snapshot with { Bootstrapped = false };
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("degraded", slow);
        await Assertions.Expect(page.Locator("#state-reason")).ToHaveTextAsync("DHT not bootstrapped");
        await Assertions.Expect(page.Locator("#dht-bootstrapped")).ToHaveTextAsync("not bootstrapped yet");
    }

    private sealed class StandInDistributedCache : IDistributedCacheStatus
    {
        public volatile DistributedCacheSnapshot Snapshot = new(true, 0, IPEndPoint.Parse("203.0.113.7:28729"), IPEndPoint.Parse("0.0.0.0:28729"),
            ["example.com", "example.org", "ouinet.test"], 0, 0, 0, 0);

        public DistributedCacheSnapshot GetSnapshot() => Snapshot;
    }
}
