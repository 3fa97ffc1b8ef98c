using System.Net;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Engine;

/// <summary>How a query of ours ended without a usable answer.</summary>
internal enum QueryFailure
{
    Timeout,

    /// <summary>The node answered with a KRPC error.</summary>
    Error,

    /// <summary>The node answered with something we could not use.</summary>
    Malformed,
}

/// <summary>Whoever sent a query and wants its outcome: a lookup, an announce, upkeep, a ping.</summary>
internal interface IQueryOwner
{
    void OnResponse(PendingQuery query, KrpcMessage response);

    /// <summary>No answer within the adaptive slow timeout; the query is still pending.</summary>
    void OnSlow(PendingQuery query);

    void OnFailure(PendingQuery query, QueryFailure failure, KrpcMessage? reply);
}

/// <summary>A query waiting for its answer, keyed by (endpoint, transaction ID) so a reply must come from where we sent.</summary>
internal sealed class PendingQuery(ushort transactionId, IPEndPoint to, KrpcMethod method, NodeId? expectedId, long sentMs, IQueryOwner? owner, object? state)
{
    public ushort TransactionId { get; } = transactionId;

    public IPEndPoint To { get; } = to;

    public KrpcMethod Method { get; } = method;

    /// <summary>The ID we expect to answer, when we know it (not for bootstrap routers).</summary>
    public NodeId? ExpectedId { get; } = expectedId;

    public long SentMs { get; } = sentMs;

    public IQueryOwner? Owner { get; } = owner;

    /// <summary>The owner's own bookkeeping (e.g. a lookup candidate).</summary>
    public object? State { get; } = state;

    public bool Done { get; set; }

    /// <summary>The datagram as sent, for a retransmission (same transaction ID: a late answer to either send counts).</summary>
    public byte[] Datagram { get; set; } = [];

    /// <summary>Retransmissions left before the query fails.</summary>
    public int RetriesLeft { get; set; }
}
