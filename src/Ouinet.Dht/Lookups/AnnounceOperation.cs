using System.Net;
using Ouinet.Dht.Engine;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Lookups;

/// <summary>
/// BEP 5's announce: a <c>get_peers</c> lookup for the info-hash, then <c>announce_peer</c> with the token each of
/// the k closest answering nodes gave us. With no port given, <c>implied_port=1</c> asks them to take our UDP source
/// port (the uTP port on the shared socket) — and we still send <c>port</c>, as libtorrent does, for nodes that need it.
/// </summary>
internal sealed class AnnounceOperation(DhtEngine engine, NodeId infoHash, int? port) : IQueryOwner
{
    private readonly HashSet<PendingQuery> _slow = [];
    private int _pending;

    public NodeId InfoHash { get; } = infoHash;

    public Lookup? Lookup { get; private set; }

    /// <summary>Nodes we sent <c>announce_peer</c> to.</summary>
    public int Sent { get; private set; }

    /// <summary>Nodes that answered it with a response (not an error).</summary>
    public int Accepted => AcceptedBy.Count;

    /// <summary>The nodes that accepted the announce.</summary>
    public List<NodeInfo> AcceptedBy { get; } = [];

    public bool IsFinished { get; private set; }

    public Action<AnnounceOperation>? Finished { get; init; }

    public void Start(Action<Lookup, IPEndPoint>? peerFound) =>
        Lookup = engine.StartLookup(LookupKind.GetPeers, InfoHash, peerFound, SendAnnounces);

    public void Cancel()
    {
        if (Lookup is { IsFinished: false } lookup)
        {
            engine.Cancel(lookup);
        }
        IsFinished = true;
    }

    private void SendAnnounces(Lookup lookup)
    {
        if (IsFinished)
        {
            return;
        }
        foreach (var (node, token) in lookup.ClosestResponded(engine.Options.BucketSize))
        {
            if (token is null)
            {
                continue;
            }
            var result = engine.SendQuery(
                node.EndPoint, node.Id, KrpcMethod.AnnouncePeer, this, node, slow: true, out _,
                infoHash: InfoHash, port: port ?? engine.LocalEndPoint.Port, impliedPort: port is null, token: token, retries: 1);
            if (result == SendResult.Sent)
            {
                Sent++;
                _pending++;
            }
        }
        CheckDone();
    }

    public void OnResponse(PendingQuery query, KrpcMessage response)
    {
        if (IsFinished)
        {
            return;
        }
        AcceptedBy.Add((NodeInfo)query.State!);
        if (!_slow.Remove(query))
        {
            _pending--;
        }
        CheckDone();
    }

    // A node that has not answered within the slow timeout is not waited for; a late yes still counts if it comes first.
    public void OnSlow(PendingQuery query)
    {
        _slow.Add(query);
        _pending--;
        CheckDone();
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, KrpcMessage? reply)
    {
        if (!_slow.Remove(query))
        {
            _pending--;
        }
        CheckDone();
    }

    private void CheckDone()
    {
        if (_pending == 0 && !IsFinished)
        {
            IsFinished = true;
            Finished?.Invoke(this);
        }
    }
}
