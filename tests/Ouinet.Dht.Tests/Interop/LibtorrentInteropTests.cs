using System.Net;
using System.Text;
using System.Text.Json;
using Ouinet.Dht.Messages;
using Ouinet.Dht.Tests.Support;
using Ouinet.Net;

namespace Ouinet.Dht.Tests.Interop;

/// <summary>
/// Our node against a real libtorrent (Debian's python3-libtorrent through shared/interop/dht_peer.py), each in its
/// own process, on 127.0.0.1 only: bootstrap both ways, announces found both ways, our tokens and answers accepted.
/// </summary>
public class LibtorrentInteropTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string Hex(InfoHash infoHash) => infoHash.ToString();

    private static async Task<(DhtNode Node, UdpMultiplexer Multiplexer)> OurNodeAsync(CancellationToken ct, params IPEndPoint[] bootstrap)
    {
        var multiplexer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var node = new DhtNode(new DhtOptions { BootstrapNodes = bootstrap, UseDefaultBootstrapRouters = false }, multiplexer);
        multiplexer.Start();
        await node.StartAsync(ct);
        return (node, multiplexer);
    }

    private static async Task<(JsonLineProcess Process, IPEndPoint EndPoint)> LibtorrentAsync(string name, CancellationToken ct, params string[] arguments)
    {
        var port = JsonLineProcess.FreePort();
        var process = JsonLineProcess.Libtorrent(name, [.. arguments, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "40"]);
        await process.WaitForEventAsync("ready", Wait, ct);
        return (process, new IPEndPoint(IPAddress.Loopback, port));
    }

    private static string Ep(IPEndPoint endPoint) => endPoint.ToString();

    private static bool FromPeer(JsonElement e, IPEndPoint endPoint) => e.GetProperty("peer").GetString() == Ep(endPoint);

    [Fact(Timeout = 60000)]
    public async Task OurNode_BootstrapsFromLibtorrent_AndLibtorrentTakesUsIntoItsTable()
    {
        var ct = TestContext.Current.CancellationToken;
        var (lt, ltEndPoint) = await LibtorrentAsync("libtorrent", ct, "serve");
        await using (lt)
        {
            var (node, multiplexer) = await OurNodeAsync(ct, ltEndPoint);
            await using (multiplexer)
            await using (node)
            {
                await node.WaitForBootstrapAsync(ct);
                var stats = node.GetStats();
                Assert.True(stats.Nodes >= 1, "libtorrent is in our table");
                Assert.Equal(node.LocalEndPoint, stats.ExternalEndPoint); // its BEP 42 ip field, understood
                // libtorrent checks a new node with get_peers before it trusts it: our answer must satisfy it.
                await lt.WaitForEventAsync("query", Wait, ct, e => FromPeer(e, node.LocalEndPoint));
                await lt.WaitForEventAsync("routing_table", Wait, ct, e => e.GetProperty("nodes").GetInt32() >= 1);
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task Libtorrent_BootstrapsFromOurNode()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, multiplexer) = await OurNodeAsync(ct);
        await using (multiplexer)
        await using (node)
        {
            var (lt, ltEndPoint) = await LibtorrentAsync("libtorrent", ct, "serve", "--node", Ep(node.LocalEndPoint));
            await using (lt)
            {
                await lt.WaitForEventAsync("routing_table", Wait, ct, e => e.GetProperty("nodes").GetInt32() >= 1);
                // …and we took libtorrent in too, after proving it with a ping.
                Assert.NotNull(await node.PingAsync(ltEndPoint, ct));
                Assert.True(node.GetStats().Nodes >= 1);
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task WeAnnounce_AndLibtorrentFindsUs()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = InfoHash.Of(Encoding.UTF8.GetBytes("we announce " + Guid.NewGuid()));
        var (router, routerEndPoint) = await LibtorrentAsync("libtorrent router", ct, "serve");
        await using (router)
        {
            var (node, multiplexer) = await OurNodeAsync(ct, routerEndPoint);
            await using (multiplexer)
            await using (node)
            {
                await node.WaitForBootstrapAsync(ct);
                var result = await node.AnnounceAsync(swarm, null, ct);
                Assert.True(result.Succeeded, $"announce: {result}");
                var stored = await router.WaitForEventAsync("announce_stored", Wait, ct, e => FromPeer(e, node.LocalEndPoint));
                Assert.Equal(1, stored.GetProperty("implied_port").GetInt32());
                Assert.Equal(node.LocalEndPoint.Port, stored.GetProperty("port").GetInt32());

                var (seeker, _) = await LibtorrentAsync("libtorrent get-peers", ct, "get-peers", Hex(swarm), "--node", Ep(routerEndPoint), "--expect", "1");
                await using (seeker)
                {
                    var peer = await seeker.WaitForEventAsync("peer", Wait, ct);
                    Assert.Equal(node.LocalEndPoint.Port, peer.GetProperty("port").GetInt32());
                    Assert.Equal(0, await seeker.WaitForExitAsync(Wait, ct));
                }
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task LibtorrentAnnounces_AndWeFindIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = InfoHash.Of(Encoding.UTF8.GetBytes("libtorrent announces " + Guid.NewGuid()));
        var (router, routerEndPoint) = await LibtorrentAsync("libtorrent router", ct, "serve");
        await using (router)
        {
            var (announcer, announcerEndPoint) = await LibtorrentAsync("libtorrent announce", ct, "announce", Hex(swarm), "--node", Ep(routerEndPoint));
            await using (announcer)
            {
                await announcer.WaitForEventAsync("announce_acked", Wait, ct, e => FromPeer(e, routerEndPoint));
                var (node, multiplexer) = await OurNodeAsync(ct, routerEndPoint);
                await using (multiplexer)
                await using (node)
                {
                    await node.WaitForBootstrapAsync(ct);
                    var found = new List<IPEndPoint>();
                    await foreach (var peer in node.GetPeersAsync(swarm, ct))
                    {
                        found.Add(peer);
                    }
                    Assert.Contains(announcerEndPoint, found);
                }
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task LibtorrentAnnouncesToUs_WithOurToken_AndFindsThePeerThroughUs()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = InfoHash.Of(Encoding.UTF8.GetBytes("through us " + Guid.NewGuid()));
        var (node, multiplexer) = await OurNodeAsync(ct);
        await using (multiplexer)
        await using (node)
        {
            var announced = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.PeerAnnounced += (infoHash, peer) =>
            {
                if (infoHash == swarm)
                {
                    announced.TrySetResult(peer);
                }
            };
            var (announcer, announcerEndPoint) = await LibtorrentAsync("libtorrent announce", ct, "announce", Hex(swarm), "--node", Ep(node.LocalEndPoint));
            await using (announcer)
            {
                // libtorrent got a token in our get_peers answer, brought it back, and took our answer as success.
                await announcer.WaitForEventAsync("announce_acked", Wait, ct, e => FromPeer(e, node.LocalEndPoint));
                Assert.Equal(announcerEndPoint, await announced.Task.WaitAsync(Wait, ct)); // implied_port: its UDP port

                var (seeker, _) = await LibtorrentAsync("libtorrent get-peers", ct, "get-peers", Hex(swarm), "--node", Ep(node.LocalEndPoint), "--expect", "1");
                await using (seeker)
                {
                    var peer = await seeker.WaitForEventAsync("peer", Wait, ct);
                    Assert.Equal(announcerEndPoint.Port, peer.GetProperty("port").GetInt32());
                }
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task LibtorrentErrors_AreUnderstood_AndItAnswersOurQueries()
    {
        var ct = TestContext.Current.CancellationToken;
        var (lt, ltEndPoint) = await LibtorrentAsync("libtorrent", ct, "serve");
        await using (lt)
        await using (var socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            var id = NodeId.CreateRandom();
            var badToken = new KrpcMessage
            {
                TransactionId = "zz"u8.ToArray(),
                Type = KrpcMessageType.Query,
                Method = KrpcMethod.AnnouncePeer,
                Id = id,
                InfoHash = NodeId.CreateRandom(),
                Port = 6881,
                Token = "nope"u8.ToArray(),
            };
            await socket.SendAsync(KrpcEncoder.Encode(badToken), ltEndPoint, ct);
            var buffer = new byte[2048];
            var received = await socket.ReceiveAsync(buffer, ct).AsTask().WaitAsync(Wait, ct);
            Assert.Equal(KrpcDecodeError.None, KrpcDecoder.TryDecode(buffer.AsSpan(0, received.Length), out var error));
            Assert.Equal(KrpcMessageType.Error, error!.Type);
            Assert.Equal(203, error.ErrorCode);

            var findNode = new KrpcMessage { TransactionId = "yy"u8.ToArray(), Type = KrpcMessageType.Query, Method = KrpcMethod.FindNode, Id = id, Target = id };
            await socket.SendAsync(KrpcEncoder.Encode(findNode), ltEndPoint, ct);
            received = await socket.ReceiveAsync(buffer, ct).AsTask().WaitAsync(Wait, ct);
            Assert.Equal(KrpcDecodeError.None, KrpcDecoder.TryDecode(buffer.AsSpan(0, received.Length), out var response));
            Assert.Equal(KrpcMessageType.Response, response!.Type);
            Assert.Equal(socket.LocalEndPoint, response.RequesterEndPoint);
            Assert.NotNull(response.Nodes);
        }
    }
}
