using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Ouinet.Dht.Messages;
using Ouinet.Dht.Tests.Support;
using Ouinet.Net;

namespace Ouinet.Dht.Tests;

/// <summary>The public API end to end: on an in-memory network (tier 1) and on real loopback sockets (tier 2).</summary>
public class DhtNodeTests
{
    private static readonly InfoHash Swarm = InfoHash.Of("ed25519:test/v6/uri/https://example.com/"u8);

    private static async Task<List<DhtNode>> NetworkAsync(NodeGroup group, InMemoryDatagramNetwork net, int count, CancellationToken ct)
    {
        var first = await group.StartAsync(net.Bind(), new DhtOptions(), ct);
        var nodes = new List<DhtNode> { first };
        for (var i = 1; i < count; i++)
        {
            var node = await group.StartAsync(net.Bind(), new DhtOptions { BootstrapNodes = [first.LocalEndPoint] }, ct);
            await node.WaitForBootstrapAsync(ct);
            nodes.Add(node);
        }
        return nodes;
    }

    [Fact(Timeout = 30000)]
    public async Task AnnouncedPeer_IsFound_ByAnotherNode()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var group = new NodeGroup();
        var nodes = await NetworkAsync(group, new InMemoryDatagramNetwork(), 12, ct);

        var announced = await nodes[5].AnnounceAsync(Swarm, null, ct);
        Assert.True(announced.Succeeded);
        Assert.InRange(announced.NodesAccepted, 1, 8);

        var found = new List<IPEndPoint>();
        await foreach (var peer in nodes[9].GetPeersAsync(Swarm, ct))
        {
            found.Add(peer);
        }
        Assert.Equal([nodes[5].LocalEndPoint], found); // implied_port: the announcer's UDP endpoint
        Assert.True(nodes[9].GetStats().IsBootstrapped);
    }

    [Fact(Timeout = 30000)]
    public async Task StoppingTheEnumeration_StopsTheLookup()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var group = new NodeGroup();
        var nodes = await NetworkAsync(group, new InMemoryDatagramNetwork(), 6, ct);
        await nodes[1].AnnounceAsync(Swarm, 4567, ct);
        await foreach (var peer in nodes[3].GetPeersAsync(Swarm, ct))
        {
            Assert.Equal(4567, peer.Port);
            break;
        }
        Assert.Equal(0, nodes[3].GetStats().ActiveLookups);
    }

    [Fact(Timeout = 30000)]
    public async Task KeepAnnounced_AnnouncesAgain_EachInterval_UntilDisposed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var group = new NodeGroup();
        var net = new InMemoryDatagramNetwork();
        var nodes = await NetworkAsync(group, net, 5, ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var announcer = await group.StartAsync(net.Bind(), new DhtOptions { BootstrapNodes = [nodes[0].LocalEndPoint] }, ct, time);
        var results = Channel.CreateUnbounded<DhtAnnounceResult>();

        var announcement = announcer.KeepAnnounced(Swarm, announced: r => results.Writer.TryWrite(r));
        Assert.True((await results.Reader.ReadAsync(ct)).Succeeded);
        time.Advance(TimeSpan.FromMinutes(14));
        Assert.False(results.Reader.TryRead(out _));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await results.Reader.ReadAsync(ct)).Succeeded);
        Assert.Equal(2, announcement.Count);

        await announcement.DisposeAsync();
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(2, announcement.Count);
    }

    [Fact(Timeout = 30000)]
    public async Task Restart_KeepsTheNodeId_AndRejoinsFromSavedContacts_WithoutBootstrapNodes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repo = new TempDirectory();
        await using var group = new NodeGroup();
        var net = new InMemoryDatagramNetwork();
        var nodes = await NetworkAsync(group, net, 8, ct);

        var first = await group.StartAsync(net.Bind(), new DhtOptions { BootstrapNodes = [nodes[0].LocalEndPoint], RepositoryPath = repo.Path }, ct);
        await first.WaitForBootstrapAsync(ct);
        for (var i = 0; i < 10 && first.GetStats().Nodes < 7; i++)
        {
            await first.FindNodesAsync(NodeId.CreateRandom(), ct); // each answer puts its node in the table
        }
        var id = first.Id;
        await group.StopAsync(first);
        var (state, error) = await DhtState.LoadAsync(repo.Path, ct);
        Assert.Null(error);
        Assert.Equal(id, state!.NodeId);
        Assert.InRange(state.Nodes.Count, 7, 8);

        var again = await group.StartAsync(net.Bind(), new DhtOptions { RepositoryPath = repo.Path }, ct);
        Assert.Equal(id, again.Id);
        await again.WaitForBootstrapAsync(ct);
        Assert.True(again.GetStats().Nodes >= 5);
    }

    [Fact(Timeout = 30000)]
    public async Task LoopbackNode_NeverSendsBeyondLoopback_EvenWhenGivenPublicBootstrapNodes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var group = new NodeGroup();
        var net = new InMemoryDatagramNetwork();
        var peer = await group.StartAsync(net.Bind(), new DhtOptions(), ct);
        var multiplexer = new UdpMultiplexer(net.Bind());
        var options = new DhtOptions
        {
            UseDefaultBootstrapRouters = true,
            BootstrapNodes = [IPEndPoint.Parse("67.215.246.10:6881"), new DnsEndPoint("router.bittorrent.com", 6881), peer.LocalEndPoint],
        };
        await using (var node = new DhtNode(options, multiplexer))
        {
            multiplexer.Start();
            await node.StartAsync(ct);
            Assert.True(node.IsLoopbackOnly);
            Assert.NotNull(await node.PingAsync(peer.LocalEndPoint, ct)); // sends are in order: all earlier ones are out
            await node.WaitForBootstrapAsync(ct);
        }
        await multiplexer.DisposeAsync();
        Assert.NotEmpty(net.Sends);
        Assert.All(net.Sends, s => Assert.True(IPAddress.IsLoopback(s.To.Address), $"sent to {s.To}"));
    }

    [Fact(Timeout = 30000)]
    public async Task OnARealLoopbackSocket_TheDhtAnswers_AndUtpGetsTheOtherDatagrams()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var multiplexer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var utp = Channel.CreateUnbounded<byte[]>();
        await using var node = new DhtNode(new DhtOptions { UseDefaultBootstrapRouters = false }, multiplexer);
        multiplexer.Register(_ => true, (d, _) => utp.Writer.TryWrite(d.ToArray()));
        multiplexer.Start();
        await node.StartAsync(ct);

        await using var peer = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await peer.SendAsync("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"u8.ToArray(), multiplexer.LocalEndPoint, ct);
        var reply = await ReceiveAnswerAsync(peer, ct);
        Assert.Equal(node.Id, reply.Id);
        Assert.Equal(peer.LocalEndPoint, reply.RequesterEndPoint);

        await peer.SendAsync("d1:ad2:id20:abcdefghij0123456789e1:q3:get1:t2:bb1:y1:qe"u8.ToArray(), multiplexer.LocalEndPoint, ct);
        Assert.Equal(204, (await ReceiveAnswerAsync(peer, ct)).ErrorCode);

        byte[] syn = [0x41, 0x00, 0x12, 0x34];
        await peer.SendAsync(syn, multiplexer.LocalEndPoint, ct);
        Assert.Equal(syn, await utp.Reader.ReadAsync(ct));
    }

    // The node also pings a new querier to prove it; a scripted peer skips those.
    private static async Task<KrpcMessage> ReceiveAnswerAsync(UdpDatagramSocket socket, CancellationToken ct)
    {
        var buffer = new byte[2048];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            Assert.Equal(KrpcDecodeError.None, KrpcDecoder.TryDecode(buffer.AsSpan(0, received.Length), out var message));
            if (message!.Type != KrpcMessageType.Query)
            {
                return message;
            }
        }
    }
}
