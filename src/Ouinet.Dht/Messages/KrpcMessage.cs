using System.Net;

namespace Ouinet.Dht.Messages;

/// <summary>
/// One KRPC message (BEP 5) as the DHT uses it: a query with its arguments, a response with its values, or an error.
/// Only the fields of the four BEP 5 methods and of BEP 42/43 are kept; unknown keys are checked and skipped.
/// </summary>
public sealed class KrpcMessage
{
    /// <summary>The <c>t</c> key, echoed back by the responder.</summary>
    public required byte[] TransactionId { get; init; }

    public required KrpcMessageType Type { get; init; }

    /// <summary>For a query: which method (<see cref="KrpcMethod.Unknown"/> for one we do not know).</summary>
    public KrpcMethod Method { get; init; }

    /// <summary>For a query: the <c>q</c> key as sent (Latin-1), also for unknown methods.</summary>
    public string? MethodName { get; init; }

    /// <summary>The sender's node ID (<c>a.id</c> or <c>r.id</c>); absent in a bare error.</summary>
    public NodeId? Id { get; init; }

    /// <summary><c>find_node</c>'s <c>target</c>.</summary>
    public NodeId? Target { get; init; }

    /// <summary><c>get_peers</c>' and <c>announce_peer</c>'s <c>info_hash</c>.</summary>
    public NodeId? InfoHash { get; init; }

    /// <summary><c>announce_peer</c>'s <c>port</c>, if present.</summary>
    public int? Port { get; init; }

    /// <summary><c>announce_peer</c>'s <c>implied_port</c>: use the UDP source port instead of <see cref="Port"/>.</summary>
    public bool ImpliedPort { get; init; }

    /// <summary>The <c>token</c>: given in a <c>get_peers</c> response, returned in <c>announce_peer</c>.</summary>
    public byte[]? Token { get; init; }

    /// <summary>BEP 43: the querier is read-only and must not enter routing tables.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Response <c>nodes</c>: compact node infos (IPv4).</summary>
    public IReadOnlyList<NodeInfo>? Nodes { get; init; }

    /// <summary>Response <c>values</c>: peers of the swarm (IPv4; IPv6 entries are skipped).</summary>
    public IReadOnlyList<IPEndPoint>? Values { get; init; }

    /// <summary>BEP 42's <c>ip</c>: the requester's address as the responder saw it.</summary>
    public IPEndPoint? RequesterEndPoint { get; init; }

    /// <summary>For an error: the code (201–204 in BEP 5).</summary>
    public int ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>The <c>v</c> key: client name and version, if sent.</summary>
    public byte[]? Version { get; init; }

    public override string ToString() => Type switch
    {
        KrpcMessageType.Query => $"query {MethodName} t={Convert.ToHexStringLower(TransactionId)}",
        KrpcMessageType.Response => $"response t={Convert.ToHexStringLower(TransactionId)}",
        _ => $"error {ErrorCode} \"{ErrorMessage}\" t={Convert.ToHexStringLower(TransactionId)}",
    };

    internal static string NameOf(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => "ping",
        KrpcMethod.FindNode => "find_node",
        KrpcMethod.GetPeers => "get_peers",
        KrpcMethod.AnnouncePeer => "announce_peer",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "No wire name."),
    };
}
