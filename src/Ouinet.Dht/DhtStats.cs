using System.Net;

namespace Ouinet.Dht;

/// <summary>A snapshot of a node: its identity, its routing table, its store and its traffic so far.</summary>
public sealed record DhtStats
{
    public NodeId NodeId { get; init; }

    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>Our endpoint as other nodes see it, learned from BEP 42's <c>ip</c> field; null until a node told us.</summary>
    public IPEndPoint? ExternalEndPoint { get; init; }

    /// <summary>A bootstrap round ended with nodes in the routing table.</summary>
    public bool IsBootstrapped { get; init; }

    /// <summary>Nodes in buckets.</summary>
    public int Nodes { get; init; }

    public int GoodNodes { get; init; }

    public int QuestionableNodes { get; init; }

    public int BadNodes { get; init; }

    /// <summary>Nodes waiting in replacement caches.</summary>
    public int ReplacementNodes { get; init; }

    public int Buckets { get; init; }

    /// <summary>Info-hashes we store peers for.</summary>
    public int StoredSwarms { get; init; }

    public int StoredPeers { get; init; }

    public int OutstandingQueries { get; init; }

    public int ActiveLookups { get; init; }

    public long DatagramsSent { get; init; }

    public long DatagramsReceived { get; init; }

    public long QueriesSent { get; init; }

    public long QueriesReceived { get; init; }

    public long ResponsesReceived { get; init; }

    public long ErrorsReceived { get; init; }

    public long ErrorsSent { get; init; }

    public long Timeouts { get; init; }

    /// <summary>Queries dropped by the per-source rate limit.</summary>
    public long RateLimited { get; init; }

    public long Malformed { get; init; }

    /// <summary>Messages ignored because they carried our own node ID.</summary>
    public long OwnIdIgnored { get; init; }

    /// <summary>Datagrams to or from addresses the filter refuses.</summary>
    public long Refused { get; init; }

    /// <summary>Datagrams dropped before processing: oversized, or the inbound queue was full (a flood).</summary>
    public long InboundDropped { get; init; }
}
