using System.Net;
using System.Text;
using Ouinet.Client.Upstream;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Http;
using Ouinet.Testing.Origins;
using Ouinet.Utp;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// Bridges with real processes on loopback: an injector with <c>listen-on-utp-tls</c> in a private DHT, a client A that
/// reaches it and announces itself in <c>…/v6/bridges</c>, and a client B whose packets to the injector are dropped by an
/// nftables rule the test creates (B runs on its own loopback address, configured exactly as A otherwise: the injector is
/// blocked as a censor would block it, not misconfigured). B reaches the injector through A, TLS pinned end to end.
/// </summary>
public sealed class BridgeTests
{
    private static readonly IPAddress BlockedAddress = IPAddress.Parse("127.0.0.5");

    [Theory(Timeout = 240_000)]
    [InlineData(DhtMix.Ours)]
    [InlineData(DhtMix.WithLibtorrent)]
    public async Task AClientBlockedFromTheInjector_ReachesItThroughAnotherClientAsABridge(DhtMix mix)
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        // With a libtorrent node, the injector and A enter the DHT through our node, B only through libtorrent's.
        await using var dht = await PrivateDht.StartAsync(mix, ct);
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        Assert.True(await a.Process.WaitForOutputAsync("Announced as a bridge to", TimeSpan.FromSeconds(60), ct), a.Process.Output);

        using var block = NftDrop.Udp(BlockedAddress, injector.Utp!);
        await using var b = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. DhtArguments(dht.Libtorrent?.EndPoint ?? dht.EndPoint, BlockedAddress)]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            http.Timeout = TimeSpan.FromMinutes(2);
            // A URL nobody fetched before: only the injector can give it (not A's cache).
            using var response = await http.GetAsync(origin.HttpUrl("/bytes/300000"), ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {Encoding.UTF8.GetString(body)}\n{b.Process.Output}");
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            Assert.StartsWith("id=", ProxiedHttp.Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
            Assert.Equal(PatternBody.Create(300000), body);

            // As a browser does: several requests at once, more than the peer server's 4 connections per peer IP.
            var pages = await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
            {
                using var each = await http.GetAsync(origin.HttpUrl($"/bytes/{100000 + i}"), ct);
                var bytes = await each.Content.ReadAsByteArrayAsync(ct);
                return (Status: each.StatusCode, Source: ProxiedHttp.Header(each, "X-Ouinet-Source"), Same: bytes.AsSpan().SequenceEqual(PatternBody.Create(100000 + i)));
            }));
            Assert.True(pages.All(p => p is { Status: HttpStatusCode.OK, Source: "injector", Same: true }), string.Join(", ", pages) + "\n" + b.Process.Output);
        }
        Assert.Contains($"Reaching the injector through bridge {a.Udp}", b.Process.Output, StringComparison.Ordinal);
        Assert.Contains($"Bridging peer {BlockedAddress}:", a.Process.Output, StringComparison.Ordinal);
        // B's route goes through a bridge: B is no bridge itself.
        Assert.DoesNotContain("Announcing as a bridge", b.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task WithBridgeAnnouncementDisabled_TheBlockedClientFindsNoBridge_AndSaysSo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", "--disable-bridge-announcement", .. dht.ClientArguments]);
        Assert.True(await a.Process.WaitForOutputAsync("Not announcing as a bridge: disable-bridge-announcement", TimeSpan.FromSeconds(30), ct), a.Process.Output);
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            // A does reach the injector: only the option keeps it out of the bridges swarm.
            using var response = await http.GetAsync(origin.HttpUrl("/hello"), ct);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        }

        using var block = NftDrop.Udp(BlockedAddress, injector.Utp!);
        await using var b = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. DhtArguments(dht.EndPoint, BlockedAddress)]);
        using (var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile))
        {
            http.Timeout = TimeSpan.FromMinutes(2);
            using var response = await http.GetAsync(origin.HttpUrl("/bytes/1000"), ct);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Contains("no bridge found in the DHT swarm ed25519:", b.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Announcing as a bridge", a.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bridging peer", a.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task ABridgeNeverChainsThroughAnotherBridge_AndRefusesClearlyWhenTheInjectorIsDown()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        await using var c = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        Assert.True(await c.Process.WaitForOutputAsync("Announced as a bridge to", TimeSpan.FromSeconds(60), ct), c.Process.Output);

        // A is blocked and reaches the injector only through C.
        using var block = NftDrop.Udp(BlockedAddress, injector.Utp!);
        await using var a = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. DhtArguments(dht.EndPoint, BlockedAddress)]);
        using (var http = ProxiedHttp.Create(a.Proxy, a.CaCertificateFile))
        {
            http.Timeout = TimeSpan.FromMinutes(2);
            using var response = await http.GetAsync(origin.HttpUrl("/hello"), ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, a.Process.Output);
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
        }
        Assert.Contains($"Reaching the injector through bridge {c.Udp}", a.Process.Output, StringComparison.Ordinal);

        // Asked to bridge, A refuses rather than go through C.
        var refused = await ConnectAsync(a.Udp!, ct);
        Assert.Equal(502, refused.StatusCode);
        Assert.StartsWith("3 ", refused.Fields.Get("X-Ouinet-Error"), StringComparison.Ordinal);
        Assert.Contains("bridges are never chained", a.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bridging peer", a.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Announcing as a bridge", a.Process.Output, StringComparison.Ordinal);

        // C bridges while the injector runs, and says why not once it is gone.
        Assert.Equal(200, (await ConnectAsync(c.Udp!, ct)).StatusCode);
        await injector.Process.KillAsync();
        var down = await ConnectAsync(c.Udp!, ct);
        Assert.Equal(502, down.StatusCode);
        Assert.Contains("Bridge for peer 127.0.0.1:", c.Process.Output, StringComparison.Ordinal);
        Assert.Contains("refused: no direct connection to the injector", c.Process.Output, StringComparison.Ordinal);
    }

    /// <summary>Sends <c>CONNECT</c> to a client's uTP peer server from the test process and reads the answer's head.</summary>
    private static async Task<HttpResponseHead> ConnectAsync(IPEndPoint bridge, CancellationToken ct)
    {
        await using var utp = UtpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var stream = await utp.ConnectAsync(bridge, ct);
        await stream.WriteAsync("CONNECT injector:443 HTTP/1.1\r\nHost: injector:443\r\n\r\n"u8.ToArray(), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        return await BridgeTunnel.ReadHeadAsync(stream, timeout.Token);
    }

    /// <summary>The DHT options of <see cref="DhtBootstrapNode.ClientArguments"/>, on another loopback address and bootstrap node.</summary>
    private static string[] DhtArguments(IPEndPoint bootstrap, IPAddress address) =>
    [
        "--cache-type", "bep5-http", "--udp-mux-address", address.ToString(), "--udp-mux-port", "0",
        "--bt-bootstrap-extra", bootstrap.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians",
    ];
}
