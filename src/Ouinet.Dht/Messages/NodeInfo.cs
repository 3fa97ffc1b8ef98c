using System.Net;

namespace Ouinet.Dht.Messages;

/// <summary>A node as BEP 5's "compact node info" carries it: its ID and its IPv4 UDP endpoint.</summary>
public readonly record struct NodeInfo(NodeId Id, IPEndPoint EndPoint)
{
    public override string ToString() => $"{Id}@{EndPoint}";
}
