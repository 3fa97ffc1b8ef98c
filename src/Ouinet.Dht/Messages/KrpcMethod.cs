namespace Ouinet.Dht.Messages;

/// <summary>The queries of BEP 5; anything else is <see cref="Unknown"/> and answered with error 204.</summary>
public enum KrpcMethod
{
    Unknown,
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
}

/// <summary>Whether a message is a query, a response or an error (the <c>y</c> key).</summary>
public enum KrpcMessageType
{
    Query,
    Response,
    Error,
}
