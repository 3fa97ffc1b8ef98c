using System.Net;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// A large entry taken by ranges (<c>RangeFetch</c>) from peers of controlled behaviour: relays in the test process
/// (<see cref="RelayPeer"/>, each on its own loopback address, announced in B's DHT) in front of a real client A that
/// holds the entry (in a DHT of its own); B is a real client that reaches only them.
/// </summary>
public sealed class RangeFetchTests
{
    internal const int MiB = 1024 * 1024;

    /// <summary>
    /// Bug of the benchmark (64 MiB from one peer cut off mid-body, nothing logged at INFO): with a single peer, one
    /// connection that broke off ended the fetch. Now the peer is asked again once (logged), the body comes whole, and
    /// the ranges go over kept-alive connections; when it breaks off again, the cut is logged as a warning.
    /// </summary>
    [Theory(Timeout = 180_000)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AnEntryFromOnePeerThatBreaksOff_ComesWholeWhenItBreaksOnce_AndTheCutIsLoggedWhenItBreaksAgain(int breaks)
    {
        const int Size = 12 * MiB;
        var ct = TestContext.Current.CancellationToken;
        await using var seeded = await SeededEntry.StartAsync(Size, ct);
        // Each connection for ranges breaks in its first range (a break between two ranges is taken for the peer's
        // keep-alive running out, and the range asked again on a new connection).
        await using var peer = await seeded.RelayAsync("127.0.0.2", RelayMode.Honest, 0, new RelayShaping(BreakAt: MiB / 2, Breaks: breaks), ct);

        await using var b = await seeded.FetcherAsync(ct);
        using var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile);
        http.Timeout = TimeSpan.FromMinutes(2);
        if (breaks == 1)
        {
            var body = await DistributedCacheTests.FetchFromPeersAsync(http, seeded.Url, b, ct);
            Assert.True(PatternBody.Create(Size).AsSpan().SequenceEqual(body), $"{body.Length} bytes, not the entry's\n{b.Process.Output}");
            var log = b.Process.Output;
            Assert.Contains($"[INFO] Peer dropped from the range fetch: {peer.EndPoint}: range ", log, StringComparison.Ordinal);
            Assert.Contains("(tried again later: True)", log, StringComparison.Ordinal);
            Assert.Matches(@"Fetched an entry by ranges \(12582912 bytes, 12 ranges from 1 peers\)", log);
            // The head request, the connection that broke, the one after it: not one per range.
            Assert.True(peer.Connections <= 4, $"{peer.Connections} connections for 12 ranges\n{log}");
        }
        else
        {
            var error = await Record.ExceptionAsync(async () =>
            {
                while (true)
                {
                    using var response = await http.GetAsync(seeded.Url, HttpCompletionOption.ResponseHeadersRead, ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        await response.Content.ReadAsByteArrayAsync(ct);
                        return;
                    }
                    await Task.Delay(1000, ct);   // the announce may still be on its way
                }
            });
            Assert.True(error is HttpRequestException, $"the body was not cut: {error}\n{peer.Connections} connections\n{b.Process.Output}");
            Assert.True(await b.Process.WaitForOutputAsync("[WARN] Range fetch cut short after ", TimeSpan.FromSeconds(10), ct), b.Process.Output);
            Assert.Contains("no peer left to give the rest of the entry", b.Process.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A healthy peer that is slower than another and pauses once (as peers on a busy machine do) loses the race for the
    /// segment it held during the pause but stays in use and gives more ranges; a stalled peer is dropped.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task ASlowPeerThatPausesOnceStaysInUse_AndAStalledPeerIsDropped()
    {
        const int Size = 32 * MiB;
        var ct = TestContext.Current.CancellationToken;
        await using var seeded = await SeededEntry.StartAsync(Size, ct);
        await using var fast = await seeded.RelayAsync("127.0.0.2", RelayMode.Honest, 0, new RelayShaping(BytesPerSecond: 16 * MiB), ct);
        await using var slow = await seeded.RelayAsync("127.0.0.3", RelayMode.Honest, 0,
            new RelayShaping(BytesPerSecond: 8 * MiB, PauseAt: 2 * MiB, PauseFor: TimeSpan.FromSeconds(1.5)), ct);
        await using var stalled = await seeded.RelayAsync("127.0.0.4", RelayMode.Stall, 100_000, new RelayShaping(), ct);

        await using var b = await seeded.FetcherAsync(ct);
        using var http = ProxiedHttp.Create(b.Proxy, b.CaCertificateFile);
        http.Timeout = TimeSpan.FromMinutes(2);
        var body = await DistributedCacheTests.FetchFromPeersAsync(http, seeded.Url, b, ct);
        Assert.True(PatternBody.Create(Size).AsSpan().SequenceEqual(body), $"{body.Length} bytes, not the entry's\n{b.Process.Output}");
        var log = b.Process.Output;
        var dropped = log.Split('\n').Where(l => l.Contains("dropped", StringComparison.Ordinal)).ToList();
        Assert.False(dropped.Any(l => l.Contains(slow.EndPoint.ToString(), StringComparison.Ordinal)), $"the slow peer {slow.EndPoint} was dropped\n{log}");
        Assert.True(dropped.Any(l => l.Contains(stalled.EndPoint.ToString(), StringComparison.Ordinal)), $"the stalled peer {stalled.EndPoint} was not dropped\n{log}");
        Assert.Matches(@"Fetched an entry by ranges \(33554432 bytes, 32 ranges from [23] peers\)", log);
        // The slow peer went on giving ranges after its pause (2 MiB before it).
        Assert.True(slow.BytesRelayed > 5 * MiB, $"the slow peer relayed {slow.BytesRelayed} bytes\n{log}");
    }

    /// <summary>Client A got an entry through the injector in a DHT of its own; relays of it go into B's DHT.</summary>
    private sealed class SeededEntry : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _parts = [];
        private TestCertificateAuthority _authority = null!;
        private InjectorNode _injector = null!;
        private DhtBootstrapNode _dht = null!;
        private ClientNode _a = null!;

        public string Url { get; private set; } = "";

        public static async Task<SeededEntry> StartAsync(int size, CancellationToken ct)
        {
            var seeded = new SeededEntry();
            try
            {
                seeded._authority = new TestCertificateAuthority();
                var origin = seeded.Add(await TestOrigin.StartAsync(seeded._authority, ct));
                seeded._injector = seeded.Add(await InjectorNode.StartAsync(seeded._authority, ct));
                var hiddenDht = seeded.Add(await DhtBootstrapNode.StartAsync(ct));
                seeded._dht = seeded.Add(await DhtBootstrapNode.StartAsync(ct));
                seeded._a = seeded.Add(await ClientNode.StartAsync(seeded._injector, seeded._authority, ct, ["--disable-origin-access", .. hiddenDht.ClientArguments]));
                seeded.Url = origin.HttpUrl($"/bytes/{size}");
                using (var http = ProxiedHttp.Create(seeded._a.Proxy, seeded._a.CaCertificateFile))
                {
                    http.Timeout = TimeSpan.FromMinutes(2);
                    using var response = await http.GetAsync(seeded.Url, ct);
                    Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
                    Assert.Equal(size, (await response.Content.ReadAsByteArrayAsync(ct)).Length);
                }
                Assert.True(await seeded._a.Process.WaitForOutputAsync("Announced group " + seeded.Url, TimeSpan.FromSeconds(60), ct), seeded._a.Process.Output);
                return seeded;
            }
            catch
            {
                await seeded.DisposeAsync();
                throw;
            }
        }

        public Task<RelayPeer> RelayAsync(string address, RelayMode mode, long at, RelayShaping shaping, CancellationToken ct) =>
            RelayPeer.StartAsync(_dht, _a.Udp!, _injector.PublicKey, [Url], mode, at, TimeSpan.Zero, ct, IPAddress.Parse(address), shaping);

        /// <summary>B: reaches neither the origin nor the injector, only the relays in its DHT.</summary>
        public Task<ClientNode> FetcherAsync(CancellationToken ct) =>
            ClientNode.StartAsync(_injector, _authority, ct, [.. DistributedCacheTests.Blocked, .. _dht.ClientArguments]);

        private T Add<T>(T part) where T : IAsyncDisposable
        {
            _parts.Add(part);
            return part;
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = _parts.Count - 1; i >= 0; i--)
            {
                await _parts[i].DisposeAsync();
            }
            _authority?.Dispose();
        }
    }
}
