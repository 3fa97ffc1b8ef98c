namespace Ouinet.Dht.Messages;

/// <summary>The error codes of BEP 5.</summary>
public enum KrpcErrorCode
{
    Generic = 201,
    Server = 202,

    /// <summary>Malformed packet, invalid arguments, or a bad token.</summary>
    Protocol = 203,
    MethodUnknown = 204,
}
