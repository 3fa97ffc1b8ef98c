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
    public async Task ForgedTruncatedAndWrongKeyPeersAreRejected_AndAnotherPeerIsUsed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct);
        await using var otherInjector = await InjectorNode.StartAsync(authority, ct);
        // The genuine holders live in a DHT of their own: in B's DHT there are only the relays below.
        await using var hiddenDht = await DhtBootstrapNode.StartAsync(ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
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
        await using var forged = await RelayPeer.StartAsync(dht, a.Udp!, injector.PublicKey, [urls[0]], RelayMode.Flip, 150_000, TimeSpan.Zero, ct);
        await using var truncated = await RelayPeer.StartAsync(dht, a.Udp!, injector.PublicKey, [urls[1]], RelayMode.Truncate, 150_000, TimeSpan.Zero, ct);
        await using var wrongKey = await RelayPeer.StartAsync(dht, w.Udp!, injector.PublicKey, [urls[2]], RelayMode.Honest, 0, TimeSpan.Zero, ct);
        await using var honest = await RelayPeer.StartAsync(dht, a.Udp!, injector.PublicKey, urls, RelayMode.Honest, 0, TimeSpan.FromSeconds(1.5), ct);

        await using var b = await ClientNode.StartAsync(injector, authority, ct, [.. Blocked, .. dht.ClientArguments]);
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

    [Fact(Timeout = 120_000)]
    public async Task TheInjectorIsReachedOverUtpAndTls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        await using var injector = await InjectorNode.StartAsync(authority, ct,
            "--listen-on-utp-tls", "127.0.0.1:0", "--bt-bootstrap-extra", dht.EndPoint.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var file = Path.Combine(injector.Repo, "endpoint-utp-tls");
        while (!File.Exists(file) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }
        injector.ClientEndpoint = "utp:" + (await File.ReadAllTextAsync(file, ct)).Trim();
        injector.ClientExtra = ["--injector-tls-cert-file", Path.Combine(injector.Repo, "tls-cert.pem")];
        Assert.Contains("Injector swarm: sha1('ed25519:", injector.Process.Output, StringComparison.Ordinal);
        await using var client = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        using var response = await http.GetAsync(origin.HttpUrl("/bytes/500000"), ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct) + "\n" + client.Process.Output + "\n" + injector.Process.Output);
        Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        Assert.Equal(PatternBody.Create(500000), await response.Content.ReadAsByteArrayAsync(ct));
        Assert.Contains("TLS over uTP, pinned certificate", client.Process.Output, StringComparison.Ordinal);
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
