namespace Ouinet.Http;

/// <summary>The HTTP versions this codec speaks.</summary>
public enum HttpProtocolVersion
{
    Http10,
    Http11,
}
