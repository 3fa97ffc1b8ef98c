using System.Net;
using Ouinet.Dht.Bencoding;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Engine;

internal sealed partial class DhtEngine
{
    private void HandleQuery(KrpcMessage query, KrpcDecodeError error, IPEndPoint from)
    {
        if (_options.ReadOnly)
        {
            return; // BEP 43: a read-only node answers nothing
        }
        if (query.Id == Id)
        {
            Counters.OwnIdIgnored++;
            return;
        }
        var now = NowMs;
        // Before any work or any answer: a source over its budget gets silence, never an error (no reflection).
        if (!_rateLimiter.TryAcquire(from, now))
        {
            Counters.RateLimited++;
            return;
        }
        Counters.QueriesReceived++;
        if (error != KrpcDecodeError.None)
        {
            SendError(query, from, KrpcErrorCode.Protocol, Describe(error));
            return;
        }
        if (query.Method == KrpcMethod.Unknown)
        {
            SendError(query, from, KrpcErrorCode.MethodUnknown, "Method Unknown");
            return;
        }
        var sender = query.Id!.Value;
        var candidate = query.ReadOnly ? null : Table.OnQueried(sender, from, IsIdVerified(sender, from.Address), now);
        switch (query.Method)
        {
            case KrpcMethod.Ping:
                SendResponse(query, from, nodes: null, token: null, values: null);
                break;
            case KrpcMethod.FindNode:
                SendResponse(query, from, ClosestFor(query.Target!.Value, sender), token: null, values: null);
                break;
            case KrpcMethod.GetPeers:
                AnswerGetPeers(query, from, sender, now);
                break;
            case KrpcMethod.AnnouncePeer:
                AnswerAnnounce(query, from, now);
                break;
        }
        if (candidate is not null && _pending.Count < _options.MaxOutstandingQueries / 2)
        {
            // A new node with a place waiting for it: prove it now, after answering (one ping per new querier, and
            // queriers are rate limited).
            PingContact(candidate);
        }
    }

    private void AnswerGetPeers(KrpcMessage query, IPEndPoint from, NodeId sender, long now)
    {
        var infoHash = query.InfoHash!.Value;
        var nodes = ClosestFor(infoHash, sender);
        var token = _tokens.Create(from.Address);
        // Like libtorrent, answer with nodes always and values when we have some: the querier converges either way.
        var values = _peerStore.Get(infoHash, MaxValuesFor(nodes.Count, query.TransactionId.Length, token.Length), now, Random);
        SendResponse(query, from, nodes, token, values);
    }

    private void AnswerAnnounce(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!_tokens.IsValid(query.Token, from.Address))
        {
            SendError(query, from, KrpcErrorCode.Protocol, "invalid token");
            return;
        }
        var port = query.ImpliedPort ? from.Port : query.Port!.Value;
        var peer = new IPEndPoint(from.Address, port);
        if (port == 0 || !Filter.IsAllowed(peer))
        {
            SendError(query, from, KrpcErrorCode.Protocol, "invalid port");
            return;
        }
        var infoHash = query.InfoHash!.Value;
        if (!_peerStore.Add(infoHash, peer, now))
        {
            SendError(query, from, KrpcErrorCode.Server, "peer store full");
            return;
        }
        SendResponse(query, from, nodes: null, token: null, values: null);
        PeerAnnounced?.Invoke(infoHash, peer);
    }

    private List<NodeInfo> ClosestFor(NodeId target, NodeId requester)
    {
        var closest = Table.Closest(target, _options.BucketSize, confirmedOnly: true, exclude: requester);
        var nodes = new List<NodeInfo>(closest.Count);
        foreach (var contact in closest)
        {
            nodes.Add(new NodeInfo(contact.Id, contact.EndPoint));
        }
        return nodes;
    }

    /// <summary>How many values fit in a get_peers response beside its other fields, within the response size limit.</summary>
    private int MaxValuesFor(int nodeCount, int transactionIdLength, int tokenLength)
    {
        // d 1:ip 6:.. 1:r d 2:id 20:.. 5:nodes N:.. 5:token T:.. 6:values l .. e e 1:t X:.. 1:v V:.. 1:y 1:r e
        var fixedPart = 2 + 4 + BencodeEncoder.StringLength(CompactFormat.PeerLength)
            + 3 + 2 + 4 + BencodeEncoder.StringLength(NodeId.Size)
            + 7 + BencodeEncoder.StringLength(nodeCount * CompactFormat.NodeLength)
            + 7 + BencodeEncoder.StringLength(tokenLength)
            + 8 + 2
            + 3 + BencodeEncoder.StringLength(transactionIdLength)
            + (_options.Version is { } v ? 3 + BencodeEncoder.StringLength(v.Length) : 0)
            + 3 + 3;
        return Math.Clamp((_options.MaxResponseSize - fixedPart) / KrpcEncoder.ValueCost, 0, 100);
    }

    private void SendResponse(KrpcMessage query, IPEndPoint to, IReadOnlyList<NodeInfo>? nodes, byte[]? token, IReadOnlyList<IPEndPoint>? values)
    {
        var response = new KrpcMessage
        {
            TransactionId = query.TransactionId,
            Type = KrpcMessageType.Response,
            Id = Id,
            Nodes = nodes,
            Token = token,
            Values = values,
            RequesterEndPoint = to,
            Version = _options.Version?.ToArray(),
        };
        Transmit(KrpcEncoder.Encode(response), to);
    }

    private void SendError(KrpcMessage query, IPEndPoint to, KrpcErrorCode code, string text)
    {
        Counters.ErrorsSent++;
        var reply = new KrpcMessage
        {
            TransactionId = query.TransactionId,
            Type = KrpcMessageType.Error,
            ErrorCode = (int)code,
            ErrorMessage = text,
            RequesterEndPoint = to,
            Version = _options.Version?.ToArray(),
        };
        Transmit(KrpcEncoder.Encode(reply), to);
    }

    private static string Describe(KrpcDecodeError error) => error switch
    {
        KrpcDecodeError.MissingQueryName => "missing 'q'",
        KrpcDecodeError.MissingArguments => "missing 'a'",
        KrpcDecodeError.MissingId or KrpcDecodeError.InvalidId => "missing or invalid 'id'",
        KrpcDecodeError.MissingTarget => "missing or invalid 'target'",
        KrpcDecodeError.MissingInfoHash => "missing or invalid 'info_hash'",
        KrpcDecodeError.InvalidPort => "missing or invalid 'port'",
        KrpcDecodeError.MissingToken or KrpcDecodeError.InvalidToken => "missing or invalid 'token'",
        _ => "malformed message",
    };
}
