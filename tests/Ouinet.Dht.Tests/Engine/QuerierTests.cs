using System.Net;
using Ouinet.Dht.Lookups;
using Ouinet.Dht.Messages;
using static Ouinet.Dht.Tests.Support.EngineHarness;

namespace Ouinet.Dht.Tests.Engine;

/// <summary>Our node as a querier: transaction IDs, timeouts, retries, errors, bootstrap, bounds, BEP 42.</summary>
public class QuerierTests
{
    private static readonly IPEndPoint Remote = IPEndPoint.Parse("127.0.0.2:7000");
    private static readonly NodeId RemoteId = IdFrom(0x90, 3);

    [Fact]
    public void Ping_IsRetriedOnce_ThenFails()
    {
        var h = Create(new DhtOptions { QueryTimeout = TimeSpan.FromSeconds(5), MaxSlowTimeout = TimeSpan.FromSeconds(1) });
        var results = new List<NodeId?>();
        h.Engine.Ping(Remote, results.Add);
        Assert.Single(h.Sent);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, h.Sent.Count);
        Assert.Equal(h.Sent[0].Datagram, h.Sent[1].Datagram); // same transaction ID: a late first answer still counts
        Assert.Empty(results);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([(NodeId?)null], results);
        Assert.Equal(1, h.Engine.Counters.Timeouts);
    }

    [Fact]
    public void Reply_MustComeFromTheQueriedEndpoint_WithOurTransactionId()
    {
        var h = Create();
        var results = new List<NodeId?>();
        h.Engine.Ping(Remote, results.Add);
        var tid = h.SentSince(0)[0].Message.TransactionId;

        h.Deliver(Response(tid, RemoteId), IPEndPoint.Parse("127.0.0.3:7000"));  // right tid, wrong sender
        h.Deliver(Response([0, 0], RemoteId), Remote);                           // right sender, wrong tid
        Assert.Empty(results);
        Assert.Equal(2, h.Engine.Counters.Unsolicited);

        h.Deliver(Response(tid, RemoteId), Remote);
        Assert.Equal([(NodeId?)RemoteId], results);
        Assert.NotNull(h.Engine.Table.Find(RemoteId));
    }

    [Fact]
    public void ErrorReply_IsUnderstood_AsAFailedQuery_FromALiveNode()
    {
        var h = Create();
        var results = new List<NodeId?>();
        h.Engine.Ping(Remote, results.Add);
        var tid = h.SentSince(0)[0].Message.TransactionId;
        h.Deliver(new KrpcMessage { TransactionId = tid, Type = KrpcMessageType.Error, ErrorCode = 202, ErrorMessage = "Server Error" }, Remote);
        Assert.Equal([(NodeId?)null], results);
        Assert.Equal(1, h.Engine.Counters.ErrorsReceived);
        h.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(h.Sent); // no retry after an answer, even an error
    }

    [Fact]
    public void Bootstrap_AsksTheBootstrapNode_ThenTheNodesItNames_AndJoins()
    {
        var h = Create();
        var joined = new List<bool>();
        h.Engine.BootstrapCompleted += joined.Add;
        h.Engine.Start([], [Remote], []);
        var (query, to) = Assert.Single(h.SentSince(0));
        Assert.Equal(Remote, to);
        Assert.Equal(KrpcMethod.FindNode, query.Method);
        Assert.Equal(h.Engine.Id, query.Target);

        var named = new NodeInfo(IdFrom(0x11, 1), IPEndPoint.Parse("127.0.0.7:7001"));
        var beyond = new NodeInfo(IdFrom(0x12, 1), IPEndPoint.Parse("198.51.100.7:6881")); // not loopback: never contacted
        var sent = h.Sent.Count;
        h.Deliver(Response(query.TransactionId, RemoteId, nodes: [named, beyond], requester: h.Engine.LocalEndPoint), Remote);
        var next = h.SentSince(sent);
        Assert.Equal([named.EndPoint], next.Select(s => s.To));
        Assert.DoesNotContain(h.Sent, s => s.To.Equals(beyond.EndPoint));

        h.Deliver(Response(next[0].Message.TransactionId, named.Id), named.EndPoint);
        Assert.Equal([true], joined);
        Assert.True(h.Engine.IsBootstrapped);
        Assert.Equal(2, h.Engine.Table.Count);
        Assert.Equal(h.Engine.LocalEndPoint, h.Engine.ExternalEndPoint);
    }

    [Fact]
    public void Bootstrap_ThroughOneStrayNodeAlone_DoesNotCount_AndIsRetried()
    {
        // A node that only reached someone who had queried it (not its bootstrap node) could be on an island.
        var h = Create();
        var joined = new List<bool>();
        h.Engine.BootstrapCompleted += joined.Add;
        h.Engine.Start([], [Remote], []);
        h.Engine.Table.OnResponded(IdFrom(0x70, 7), IPEndPoint.Parse("127.0.0.9:9000"), true, h.Engine.NowMs);
        h.Advance(TimeSpan.FromSeconds(11)); // the bootstrap node never answers (nor its retry)
        Assert.Equal([false], joined);
        Assert.False(h.Engine.IsBootstrapped);
        var before = h.Sent.Count;
        h.Advance(TimeSpan.FromSeconds(11));
        Assert.Contains(h.SentSince(before), s => s.To.Equals(Remote)); // asked again after the back-off
    }

    [Fact]
    public void OutstandingQueries_AreBounded()
    {
        var h = Create(new DhtOptions { MaxOutstandingQueries = 4, Alpha = 3 });
        for (var i = 1; i <= 20; i++)
        {
            h.Engine.Table.OnResponded(IdFrom((byte)(i * 12), (byte)i), new IPEndPoint(IPAddress.Parse($"127.0.2.{i}"), 6881), true, h.Engine.NowMs);
        }
        for (var i = 0; i < 3; i++)
        {
            h.Engine.StartLookup(LookupKind.FindNode, IdFrom((byte)(i * 80)), null, null);
        }
        Assert.Equal(4, h.Engine.OutstandingQueries);
        Assert.True(h.Engine.Counters.Deferred > 0);
        h.Advance(TimeSpan.FromSeconds(30));
        Assert.InRange(h.Engine.OutstandingQueries, 0, 4);
    }

    [Fact]
    public void Bep42_ExternalAddressFromResponses_GivesUsAMatchingId_ButNotOnLoopback()
    {
        var h = Create();
        var changes = new List<NodeId>();
        h.Engine.IdChanged += changes.Add;
        var external = IPEndPoint.Parse("124.31.75.21:6881");
        Pong(h, external, Remote);
        var id = Assert.Single(changes);
        Assert.True(Bep42.Matches(id, external.Address));
        Assert.Equal(external, h.Engine.ExternalEndPoint);

        // One voter cannot move us elsewhere; three agreeing can.
        Pong(h, IPEndPoint.Parse("21.75.31.124:6881"), IPEndPoint.Parse("127.0.0.3:7000"));
        Assert.Equal(external, h.Engine.ExternalEndPoint);
        Pong(h, IPEndPoint.Parse("21.75.31.124:6881"), IPEndPoint.Parse("127.0.0.4:7000"));
        Pong(h, IPEndPoint.Parse("21.75.31.124:6881"), IPEndPoint.Parse("127.0.0.5:7000"));
        Assert.Equal(IPEndPoint.Parse("21.75.31.124:6881"), h.Engine.ExternalEndPoint);
        Assert.True(Bep42.Matches(h.Engine.Id, IPAddress.Parse("21.75.31.124")));

        var local = Create();
        var before = local.Engine.Id;
        Pong(local, IPEndPoint.Parse("127.0.0.1:6881"), Remote);
        Assert.Equal(before, local.Engine.Id); // loopback is exempt: a random ID is fine
    }

    [Fact]
    public void Bep42_AFixedIdIsKept()
    {
        var fixedId = IdFrom(0x33, 3);
        var h = Create(new DhtOptions { NodeId = fixedId });
        Pong(h, IPEndPoint.Parse("124.31.75.21:6881"), Remote);
        Assert.Equal(fixedId, h.Engine.Id);
    }

    [Fact]
    public void OwnEndpointAndOwnId_AreNeverQueried()
    {
        var h = Create();
        h.Engine.Start([], [Remote], []);
        var query = h.SentSince(0)[0].Message;
        var sent = h.Sent.Count;
        h.Deliver(Response(query.TransactionId, RemoteId, nodes: [new NodeInfo(h.Engine.Id, IPEndPoint.Parse("127.0.0.8:1")), new NodeInfo(IdFrom(1), h.Engine.LocalEndPoint)]), Remote);
        h.Advance(TimeSpan.FromSeconds(30));
        Assert.All(h.SentSince(sent), s => Assert.Equal(Remote, s.To));
    }

    private static void Pong(Support.EngineHarness h, IPEndPoint reportedToUs, IPEndPoint from)
    {
        NodeId? id = null;
        h.Engine.Ping(from, r => id = r);
        var tid = h.SentSince(h.Sent.Count - 1)[0].Message.TransactionId;
        h.Deliver(Response(tid, IdFrom((byte)(from.Port % 200), (byte)from.Address.GetAddressBytes()[3]), requester: reportedToUs), from);
        Assert.NotNull(id);
    }
}
