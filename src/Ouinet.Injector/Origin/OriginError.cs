namespace Ouinet.Injector.Origin;

/// <summary>Why a fetch from an origin failed, saying who failed (YARP's ForwarderError idea).</summary>
public enum OriginError
{
    /// <summary>The name did not resolve (no such host, or the resolver failed).</summary>
    DnsFailure,

    /// <summary>Every address the name resolved to is private, loopback or otherwise not public, and private targets are not allowed.</summary>
    TargetNotAllowed,

    /// <summary>No address accepted the TCP connection (refused, unreachable).</summary>
    ConnectFailed,

    /// <summary>Resolving, connecting and the TLS handshake together took longer than the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>The TLS handshake failed or the origin's certificate did not validate.</summary>
    TlsFailure,

    /// <summary>The origin went silent for longer than the idle timeout while we waited for its response.</summary>
    Timeout,

    /// <summary>The origin's response was not valid HTTP/1.x (bad status line, bad framing, over a limit).</summary>
    BadResponse,

    /// <summary>The origin closed the connection (or it broke) before its response head.</summary>
    ConnectionClosed,
}

/// <summary>A fetch from an origin that failed for the reason in <see cref="Error"/>.</summary>
public sealed class OriginException : Exception
{
    public OriginException(OriginError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    public OriginException()
        : this(OriginError.ConnectFailed, "The origin could not be reached.")
    {
    }

    public OriginException(string message)
        : this(OriginError.ConnectFailed, message)
    {
    }

    public OriginException(string message, Exception innerException)
        : this(OriginError.ConnectFailed, message, innerException)
    {
    }

    public OriginError Error { get; }
}
