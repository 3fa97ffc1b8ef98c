using System.Net;
using System.Text;
using Ouinet.Dht.Messages;
using Ouinet.Dht.Tests.Support;
using static Ouinet.Dht.Tests.Support.EngineHarness;

namespace Ouinet.Dht.Tests.Engine;

/// <summary>Our node as a responder: what it answers to each query, and what it refuses to answer.</summary>
public class ResponderTests
{
    private static readonly IPEndPoint Peer = IPEndPoint.Parse("127.0.0.2:5000");
    private static readonly NodeId PeerId = IdFrom(0x80, 1);

    [Fact]
    public void Ping_IsAnswered_WithOurId_TheTransactionId_AndTheRequestersAddress()
    {
        var h = Create();
        var reply = h.Deliver(Query(KrpcMethod.Ping, PeerId, tid: "xy"), Peer)!;
        Assert.Equal(KrpcMessageType.Response, reply.Type);
        Assert.Equal("xy"u8.ToArray(), reply.TransactionId);
        Assert.Equal(h.Engine.Id, reply.Id);
        Assert.Equal(Peer, reply.RequesterEndPoint);
        Assert.Equal("OU\0\u0001"u8.ToArray(), reply.Version);
    }

    [Fact]
    public void UnknownQuery_IsAnsweredWith204()
    {
        var h = Create();
        var reply = h.Deliver(Encoding.Latin1.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q3:put1:t2:aa1:y1:qe"), Peer)!;
        Assert.Equal(KrpcMessageType.Error, reply.Type);
        Assert.Equal(204, reply.ErrorCode);
        Assert.Equal("aa"u8.ToArray(), reply.TransactionId);
    }

    [Theory]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:aa1:y1:qe", "target")]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe", "info_hash")]
    [InlineData("d1:ad2:id2:abe1:q4:ping1:t2:aa1:y1:qe", "id")]
    [InlineData("d1:q4:ping1:t2:aa1:y1:qe", "'a'")]
    public void MalformedQuery_IsAnsweredWith203_NamingTheProblem(string query, string named)
    {
        var reply = Create().Deliver(Encoding.Latin1.GetBytes(query), Peer)!;
        Assert.Equal(203, reply.ErrorCode);
        Assert.Contains(named, reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("d1:t2:aa1:y1:re")]
    [InlineData("d1:eli201e3:boome1:t2:aa1:y1:ee")]
    [InlineData("d1:rd2:id20:abcdefghij0123456789e1:t2:zz1:y1:re")]
    [InlineData("d1:y1:qe")]
    public void NonQueries_AndUnanswerableDatagrams_GetNoAnswer(string datagram)
    {
        var h = Create();
        Assert.Null(h.Deliver(Encoding.Latin1.GetBytes(datagram), Peer));
        Assert.Empty(h.Sent);
    }

    [Fact]
    public void QueriesCarryingOurOwnId_AreIgnored()
    {
        var h = Create();
        Assert.Null(h.Deliver(Query(KrpcMethod.Ping, h.Engine.Id), Peer));
        Assert.Equal(1, h.Engine.Counters.OwnIdIgnored);
    }

    [Fact]
    public void Querier_BecomesACandidate_ButAReadOnlyOneDoesNot()
    {
        var h = Create();
        h.Deliver(Query(KrpcMethod.Ping, IdFrom(0x10), readOnly: true), IPEndPoint.Parse("127.0.0.3:1"));
        Assert.Equal(0, h.Engine.Table.ReplacementCount);
        h.Deliver(Query(KrpcMethod.Ping, IdFrom(0x20)), IPEndPoint.Parse("127.0.0.4:1"));
        Assert.Equal(1, h.Engine.Table.ReplacementCount);
        Assert.Equal(0, h.Engine.Table.Count); // a querier is proven by answering our ping, not by asking
    }

    [Fact]
    public void GetPeers_GivesAToken_ThatAnnouncePeerAccepts_AndThePeerIsThenReturned()
    {
        var h = Create();
        var infoHash = IdFrom(0x42);
        var first = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!;
        Assert.NotNull(first.Token);
        Assert.Null(first.Values);
        Assert.NotNull(first.Nodes);

        var announced = new List<(NodeId, IPEndPoint)>();
        h.Engine.PeerAnnounced += (ih, p) => announced.Add((ih, p));
        var ack = h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: first.Token, port: 9999, impliedPort: true), Peer)!;
        Assert.Equal(KrpcMessageType.Response, ack.Type);
        Assert.Equal([(infoHash, Peer)], announced); // implied_port: the UDP source port, not 9999

        var other = IPEndPoint.Parse("127.0.0.5:7000");
        var second = h.Deliver(Query(KrpcMethod.GetPeers, IdFrom(0x43), infoHash: infoHash), other)!;
        Assert.Equal([Peer], second.Values!);
    }

    [Fact]
    public void AnnouncePeer_WithAnExplicitPort_StoresThatPort()
    {
        var h = Create();
        var infoHash = IdFrom(0x42);
        var token = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Token;
        h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: token, port: 9999), Peer);
        var values = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Values!;
        Assert.Equal([new IPEndPoint(Peer.Address, 9999)], values);
    }

    [Fact]
    public void Tokens_AreBoundToTheIp_AndLiveForOneToTwoRotations()
    {
        var h = Create();
        var infoHash = IdFrom(0x42);
        var token = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Token;

        // Another IP cannot use it; the same IP on another port can (NATs move ports).
        var stranger = h.Deliver(Query(KrpcMethod.AnnouncePeer, IdFrom(0x50), infoHash: infoHash, token: token, impliedPort: true), IPEndPoint.Parse("127.0.0.9:5000"))!;
        Assert.Equal(203, stranger.ErrorCode);
        Assert.Equal("invalid token", stranger.ErrorMessage);
        Assert.Equal(KrpcMessageType.Response, h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: token, impliedPort: true), IPEndPoint.Parse("127.0.0.2:5001"))!.Type);

        h.Advance(TimeSpan.FromMinutes(5.1));
        Assert.Equal(KrpcMessageType.Response, h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: token, impliedPort: true), Peer)!.Type);
        h.Advance(TimeSpan.FromMinutes(5.1));
        Assert.Equal(203, h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: token, impliedPort: true), Peer)!.ErrorCode);
    }

    [Fact]
    public void StoredPeers_Expire()
    {
        var h = Create(new DhtOptions { PeerTimeToLive = TimeSpan.FromMinutes(30) });
        var infoHash = IdFrom(0x42);
        var token = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Token;
        h.Deliver(Query(KrpcMethod.AnnouncePeer, PeerId, infoHash: infoHash, token: token, impliedPort: true), Peer);
        h.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Values);
        h.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash), Peer)!.Values);
        Assert.Equal(0, h.Engine.GetStats().StoredPeers);
    }

    [Fact]
    public void GetPeersResponse_FitsTheDatagramLimit_HoweverManyPeersAreStored()
    {
        var h = Create(new DhtOptions { QueriesPerSecondPerSource = 1e6, QueryBurstPerSource = 1_000_000 });
        var infoHash = IdFrom(0x42);
        for (var i = 0; i < 8; i++)
        {
            h.Engine.Table.OnResponded(IdFrom((byte)(0x40 + i), 9), new IPEndPoint(IPAddress.Parse($"127.0.9.{i + 1}"), 6881), true, h.Engine.NowMs);
        }
        for (var i = 0; i < 300; i++)
        {
            var from = new IPEndPoint(IPAddress.Parse($"127.1.{i / 250}.{(i % 250) + 1}"), 6881);
            var token = h.Deliver(Query(KrpcMethod.GetPeers, IdFrom((byte)i, 7), infoHash: infoHash), from)!.Token;
            h.Deliver(Query(KrpcMethod.AnnouncePeer, IdFrom((byte)i, 7), infoHash: infoHash, token: token, impliedPort: true), from);
        }
        var before = h.Sent.Count;
        var reply = h.Deliver(Query(KrpcMethod.GetPeers, PeerId, infoHash: infoHash, tid: "abcdefghijklmnopqrst"), Peer)!;
        Assert.InRange(h.Sent[before].Datagram.Length, 1000, 1400);
        Assert.Equal(8, reply.Nodes!.Count);
        Assert.Equal(100, reply.Values!.Count); // libtorrent's cap; with these fields it fits in 1,400 bytes
        Assert.Equal(reply.Values.Count, reply.Values.Distinct().Count());
        Assert.Equal(256, h.Engine.GetStats().StoredPeers); // MaxPeersPerSwarm
    }

    [Fact]
    public void FindNode_ReturnsTheClosestConfirmedNodes_NeverTheRequester()
    {
        var h = Create();
        var ids = Enumerable.Range(1, 6).Select(i => IdFrom((byte)(i * 0x20), (byte)i)).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            h.Engine.Table.OnResponded(ids[i], new IPEndPoint(IPAddress.Parse($"127.0.1.{i + 1}"), 6881), true, h.Engine.NowMs);
        }
        var reply = h.Deliver(Query(KrpcMethod.FindNode, ids[0], target: ids[0]), IPEndPoint.Parse("127.0.1.1:6881"))!;
        Assert.Equal(5, reply.Nodes!.Count);
        Assert.DoesNotContain(reply.Nodes, n => n.Id == ids[0]);
        Assert.Equal(ids[2], reply.Nodes[0].Id); // 0x60… is closest to 0x20… (XOR 0x40…)
    }

    [Fact]
    public void RateLimit_SilencesAFloodingSource_WhileOthersAreAnswered()
    {
        var h = Create(new DhtOptions { QueriesPerSecondPerSource = 10, QueryBurstPerSource = 20 });
        var answered = Enumerable.Range(0, 50).Count(i => h.Deliver(Query(KrpcMethod.Ping, PeerId), Peer) is not null);
        Assert.Equal(20, answered);
        Assert.Equal(30, h.Engine.Counters.RateLimited);
        Assert.NotNull(h.Deliver(Query(KrpcMethod.Ping, PeerId), IPEndPoint.Parse("127.0.0.3:5000")));
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, Enumerable.Range(0, 50).Count(i => h.Deliver(Query(KrpcMethod.Ping, PeerId), Peer) is not null));
    }

    [Fact]
    public void ReadOnlyNode_AnswersNothing()
    {
        var h = Create(new DhtOptions { ReadOnly = true });
        Assert.Null(h.Deliver(Query(KrpcMethod.Ping, PeerId), Peer));
    }

    [Fact]
    public void LoopbackNode_IgnoresDatagramsFromBeyondLoopback()
    {
        var h = Create();
        Assert.Null(h.Deliver(Query(KrpcMethod.Ping, PeerId), IPEndPoint.Parse("192.0.2.1:6881")));
        Assert.Empty(h.Sent);
    }
}
