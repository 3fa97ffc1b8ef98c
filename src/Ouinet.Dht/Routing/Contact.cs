using System.Net;

namespace Ouinet.Dht.Routing;

/// <summary>The three states of BEP 5.</summary>
public enum NodeState
{
    /// <summary>Answered one of our queries in the last 15 minutes, or has answered once and queried us in the last 15 minutes.</summary>
    Good,

    /// <summary>Quiet for 15 minutes; worth a ping before trusting or evicting.</summary>
    Questionable,

    /// <summary>Failed to answer several queries in a row.</summary>
    Bad,
}

/// <summary>A node in the routing table or in a bucket's replacement cache.</summary>
internal sealed class Contact(NodeId id, IPEndPoint endPoint, bool idVerified)
{
    public NodeId Id { get; } = id;

    public IPEndPoint EndPoint { get; set; } = endPoint;

    /// <summary>Its ID matches its IP by BEP 42 (or its IP is exempt).</summary>
    public bool IdVerified { get; set; } = idVerified;

    /// <summary>When it last answered one of our queries; -1 when it never has.</summary>
    public long LastResponseMs { get; set; } = -1;

    /// <summary>When it last sent us a query; -1 when it never has.</summary>
    public long LastQueryMs { get; set; } = -1;

    /// <summary>Queries in a row it did not answer.</summary>
    public int FailedQueries { get; set; }

    /// <summary>A maintenance ping to it is outstanding.</summary>
    public bool PingPending { get; set; }

    public bool HasResponded => LastResponseMs >= 0;

    public long LastSeenMs => Math.Max(LastResponseMs, LastQueryMs);

    public NodeState GetState(long nowMs, long goodForMs, int badAfterFailures)
    {
        if (FailedQueries >= badAfterFailures)
        {
            return NodeState.Bad;
        }
        if (LastResponseMs >= 0 && (nowMs - LastResponseMs < goodForMs || (LastQueryMs >= 0 && nowMs - LastQueryMs < goodForMs)))
        {
            return NodeState.Good;
        }
        return NodeState.Questionable;
    }

    public override string ToString() => $"{Id}@{EndPoint}";
}
