using System.Globalization;
using System.Net;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// The distributed cache with real processes on loopback: an origin, an injector, a private DHT (our own bootstrap node,
/// <c>bt-bootstrap-no-default</c>), and clients that find each other's entries in it and fetch them over uTP.
/// </summary>
public sealed class DistributedCacheTests
{
    internal static readonly string[] Blocked = ["--disable-origin-access", "--disable-injector-access", "--disable-proxy-access"];

    [Fact(Timeout = 240_000)]
    public async Task AnEntryGoesFromAToBThroughTheDht_AndFromBToCAfterAStops()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        var page = origin.HttpUrl("/hello");
        var large = origin.HttpUrl("/bytes/300000");
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            foreach (var url in new[] { page, large })
            {
                using var response = await http.GetAsync(url, ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
                await response.Content.ReadAsByteArrayAsync(ct);
            }
        }
        Assert.True(await a.Process.WaitForOutputAsync("Announced group " + large, TimeSpan.FromSeconds(60), ct), a.Process.Output);

        // B reaches neither the origin nor the injector: only other clients.
        await using var b = await ClientNode.StartAsync(injector, authority, ct, [.. Blocked, .. dht.ClientArguments]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            var body = await FetchFromPeersAsync(http, page, b, ct);
            Assert.Equal("Hello world!", System.Text.Encoding.UTF8.GetString(body));
            var bytes = await FetchFromPeersAsync(http, large, b, ct);
            Assert.Equal(PatternBody.Create(300000), bytes);
        }
        Assert.Contains("Served an entry to peer", a.Process.Output, StringComparison.Ordinal);
        Assert.True(await b.Process.WaitForOutputAsync("Announced group " + large, TimeSpan.FromSeconds(60), ct), b.Process.Output);

        // A goes away; C gets the entries from B.
        await a.Process.KillAsync();
        await using var c = await ClientNode.StartAsync(injector, authority, ct, [.. Blocked, .. dht.ClientArguments]);
        using (var http = ProxiedHttp.Create(c.Proxy, c.CaCertificateFile))
        {
            Assert.Equal("Hello world!", System.Text.Encoding.UTF8.GetString(await FetchFromPeersAsync(http, page, c, ct)));
            Assert.Equal(PatternBody.Create(300000), await FetchFromPeersAsync(http, large, c, ct));
            // Now C has it: a local-cache hit.
            using var again = await http.GetAsync(page, ct);
            Assert.Equal("local-cache", ProxiedHttp.Header(again, "X-Ouinet-Source"));
        }
        Assert.Contains("Served an entry to peer", b.Process.Output, StringComparison.Ordinal);
        Assert.False(b.Process.HasExited, b.Process.Output);
        Assert.False(c.Process.HasExited, c.Process.Output);
    }

    [Fact(Timeout = 240_000)]
    public async Task WithALibtorrentNodeInTheDht_AnEntryGoesFromAToB()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        // A mixed swarm: B enters the DHT only through the libtorrent node, A only through ours.
        await using var lt = await LibtorrentDhtNode.StartAsync(dht.EndPoint, ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        var url = origin.HttpUrl("/bytes/200000");
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            using var response = await http.GetAsync(url, ct);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            await response.Content.ReadAsByteArrayAsync(ct);
        }
        Assert.True(await a.Process.WaitForOutputAsync("Announced group " + url, TimeSpan.FromSeconds(60), ct), a.Process.Output);
        await using var b = await ClientNode.StartAsync(injector, authority, ct,
            [.. Blocked, "--cache-type", "bep5-http", "--udp-mux-address", "127.0.0.1", "--udp-mux-port", "0",
                "--bt-bootstrap-extra", lt.EndPoint.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians"]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            Assert.Equal(PatternBody.Create(200000), await FetchFromPeersAsync(http, url, b, ct));
        }
        Assert.Contains("Served an entry to peer", a.Process.Output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 240_000)]
    [InlineData(DhtMix.Ours)]
    [InlineData(DhtMix.WithLibtorrent)]
    public async Task ForgedTruncatedAndWrongKeyPeersAreRejected_AndAnotherPeerIsUsed(DhtMix mix)
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var otherInjector = await InjectorNode.StartAsync(authority, ct);
        // The genuine holders live in a DHT of their own: in B's DHT there are only the relays below.
        await using var hiddenDht = await DhtBootstrapNode.StartAsync(ct);
        await using var dht = await PrivateDht.StartAsync(mix, ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. hiddenDht.ClientArguments]);
        await using var w = await ClientNode.StartAsync(otherInjector, authority, ct, ["--disable-origin-access", .. hiddenDht.ClientArguments]);
        string[] urls = [origin.HttpUrl("/bytes/200001"), origin.HttpUrl("/bytes/200002"), origin.HttpUrl("/bytes/200003")];
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            foreach (var url in urls)
            {
                using var response = await http.GetAsync(url, ct);
                Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
                await response.Content.ReadAsByteArrayAsync(ct);
            }
        }
        using (var http = ProxiedHttp.Create(w.Proxy, w.CaCertificateFile))
        {
            using var response = await http.GetAsync(urls[2], ct);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            await response.Content.ReadAsByteArrayAsync(ct);
        }
        // Fast liars, one per URL, and one slow honest relay of A for all of them: B meets each liar first.
        await using var forged = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, [urls[0]], RelayMode.Flip, 150_000, TimeSpan.Zero, ct);
        await using var truncated = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, [urls[1]], RelayMode.Truncate, 150_000, TimeSpan.Zero, ct);
        await using var wrongKey = await RelayPeer.StartAsync(dht.Ours, w.Udp!, injector.PublicKey, [urls[2]], RelayMode.Honest, 0, TimeSpan.Zero, ct);
        await using var honest = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, urls, RelayMode.Honest, 0, TimeSpan.FromSeconds(1.5), ct);

        await using var b = await ClientNode.StartAsync(injector, authority, ct, [.. Blocked, .. dht.FetcherArguments]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            for (var i = 0; i < urls.Length; i++)
            {
                var body = await FetchFromPeersAsync(http, urls[i], b, ct);
                Assert.Equal(PatternBody.Create(200001 + i), body);
            }
        }
        var log = b.Process.Output;
        Assert.True(forged.Connections > 0 && truncated.Connections > 0 && wrongKey.Connections > 0, log);
        Assert.Contains($"Peer rejected: {forged.EndPoint}: body failed verification", log, StringComparison.Ordinal);
        Assert.Contains($"Peer rejected: {truncated.EndPoint}:", log, StringComparison.Ordinal);
        Assert.Contains($"Peer rejected: {wrongKey.EndPoint}'s answer (200) failed verification", log, StringComparison.Ordinal);
    }

    [Theory(Timeout = 300_000)]
    [InlineData(DhtMix.Ours)]
    [InlineData(DhtMix.WithLibtorrent)]
    public async Task MultiPeerRangeFetchOfA20MiBEntryFromThreePeers_OneLying_GivesTheRightBytes(DhtMix mix)
    {
        const int Size = 20 * 1024 * 1024;
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var hiddenDht = await DhtBootstrapNode.StartAsync(ct);
        await using var dht = await PrivateDht.StartAsync(mix, ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. hiddenDht.ClientArguments]);
        var url = origin.HttpUrl($"/bytes/{Size}");
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            http.Timeout = TimeSpan.FromMinutes(3);
            using var response = await http.GetAsync(url, ct);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            Assert.Equal(Size, (await response.Content.ReadAsByteArrayAsync(ct)).Length);
        }
        Assert.True(await a.Process.WaitForOutputAsync("Announced group " + url, TimeSpan.FromSeconds(60), ct), a.Process.Output);
        // Three peers in B's DHT, each on its own loopback address, all relaying A: two honest, one flipping a bit in every answer.
        await using var honest1 = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, [url], RelayMode.Honest, 0, TimeSpan.Zero, ct, IPAddress.Parse("127.0.0.2"));
        await using var honest2 = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, [url], RelayMode.Honest, 0, TimeSpan.Zero, ct, IPAddress.Parse("127.0.0.3"));
        await using var liar = await RelayPeer.StartAsync(dht.Ours, a.Udp!, injector.PublicKey, [url], RelayMode.Flip, 150_000, TimeSpan.Zero, ct, IPAddress.Parse("127.0.0.4"));

        await using var b = await ClientNode.StartAsync(injector, authority, ct, [.. Blocked, .. dht.FetcherArguments]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            http.Timeout = TimeSpan.FromMinutes(2);
            byte[] body = [];
            try
            {
                body = await FetchFromPeersAsync(http, url, b, ct);
            }
            catch (HttpRequestException e)
            {
                Assert.Fail($"{e.Message}\n{b.Process.Output}");
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"{e.Message}\n{b.Process.Output}");
            }
            Assert.True(PatternBody.Create(Size).AsSpan().SequenceEqual(body), $"{body.Length} bytes, not the entry's\n{b.Process.Output}");
        }
        // Stored whole, hence announced.
        Assert.True(await b.Process.WaitForOutputAsync("Announced group " + url, TimeSpan.FromSeconds(60), ct), b.Process.Output);
        var log = b.Process.Output;
        Assert.Matches(@"Fetched an entry by ranges \(20971520 bytes, 20 ranges from [23] peers\), verified \(stored: True\)", log);
        Assert.Contains($"Peer rejected: {liar.EndPoint}: range ", log, StringComparison.Ordinal);
        // Both honest peers gave ranges (more than the head of the first whole-entry request each)…
        Assert.True(honest1.BytesRelayed > RangeFetchTests.MiB && honest2.BytesRelayed > RangeFetchTests.MiB, $"{honest1.BytesRelayed} and {honest2.BytesRelayed} bytes\n{log}");
        // …over kept-alive connections: a head request and about one connection per worker, not one per range (20).
        Assert.True(honest1.Connections + honest2.Connections <= 8, $"{honest1.Connections} and {honest2.Connections} connections for 20 ranges\n{log}");
    }

    [Fact(Timeout = 120_000)]
    public async Task TheInjectorIsReachedOverUtpAndTls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        Assert.Contains("Injector swarm: sha1('ed25519:", injector.Process.Output, StringComparison.Ordinal);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        using var response = await http.GetAsync(origin.HttpUrl("/bytes/500000"), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct) + "\n" + client.Process.Output + "\n" + injector.Process.Output);
        Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        Assert.Equal(PatternBody.Create(500000), await response.Content.ReadAsByteArrayAsync(ct));
        Assert.Contains("TLS over uTP, pinned certificate", client.Process.Output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(DhtMix.Ours)]
    [InlineData(DhtMix.WithLibtorrent)]
    public async Task WithoutInjectorEp_TheInjectorIsFoundInItsDhtSwarm(DhtMix mix)
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await PrivateDht.StartAsync(mix, ct);
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        var utp = injector.Utp;
        // No endpoint for the client: only the key, the pinned certificate and the DHT.
        injector.ClientEndpoint = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.FetcherArguments]);
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        HttpResponseMessage? response = null;
        // The injector's announce may still be on its way: ask until it is found.
        while (DateTime.UtcNow < deadline + TimeSpan.FromSeconds(30))
        {
            response?.Dispose();
            response = await http.GetAsync(origin.HttpUrl("/bytes/100000"), ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            await Task.Delay(1000, ct);
        }
        using (response)
        {
            Assert.True(response!.StatusCode == HttpStatusCode.OK, client.Process.Output + "\n" + injector.Process.Output);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            Assert.Equal(PatternBody.Create(100000), await response.Content.ReadAsByteArrayAsync(ct));
        }
        Assert.Contains($"Injector found in the DHT swarm ed25519:", client.Process.Output, StringComparison.Ordinal);
        Assert.Contains($": {utp}", client.Process.Output, StringComparison.Ordinal);
    }

    /// <summary>GETs <paramref name="url"/> until a peer provides it (the announce may still be on its way); asserts it came from the distributed cache.</summary>
    internal static async Task<byte[]> FetchFromPeersAsync(HttpClient http, string url, ClientNode client, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync(url, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("dist-cache", ProxiedHttp.Header(response, "X-Ouinet-Source"));
                Assert.StartsWith("id=", ProxiedHttp.Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
                return body;
            }
            last = $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}";
            await Task.Delay(1000, ct);
        }
        Assert.Fail($"{url} never came from a peer; last answer {last}\n{client.Process.Output}");
        return [];
    }
}
