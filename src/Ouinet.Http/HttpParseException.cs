namespace Ouinet.Http;

/// <summary>What was wrong with the input.</summary>
public enum HttpParseError
{
    InvalidStartLine,
    InvalidMethod,
    InvalidRequestTarget,
    UnsupportedVersion,
    InvalidStatusCode,
    InvalidFieldName,
    InvalidFieldValue,
    InvalidLineEnding,
    HeadTooLarge,
    TooManyFields,
    InvalidContentLength,
    ConflictingFraming,
    UnsupportedTransferEncoding,
    InvalidChunkSize,
    ChunkLineTooLarge,
    InvalidChunkExtension,
    InvalidChunkData,
    TrailerTooLarge,
    BodyTooLarge,
    UnexpectedEndOfStream,
    /// <summary>A field line starting with whitespace: obsolete line folding (RFC 9112 §5.2), which we reject.</summary>
    ObsoleteLineFolding,
    /// <summary>An HTTP/1.1 request without Host, with several, or with an invalid one (RFC 9112 §3.2: 400).</summary>
    InvalidHost,
}

/// <summary>
/// Malformed or over-limit HTTP input. Says what was wrong and which status to answer with:
/// 400/413/431/501/505 for a request from a client, 502 for a response from an upstream server.
/// </summary>
public sealed class HttpParseException : Exception
{
    public HttpParseException(HttpParseError error, int statusCode, string message)
        : base(message)
    {
        Error = error;
        StatusCode = statusCode;
    }

    public HttpParseException()
        : this(HttpParseError.InvalidStartLine, 400, "Malformed HTTP message.")
    {
    }

    public HttpParseException(string message)
        : this(HttpParseError.InvalidStartLine, 400, message)
    {
    }

    public HttpParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
    }

    public HttpParseError Error { get; }

    /// <summary>The status to answer with: 400, 413, 431, 501 or 505 for a request, 502 for a response.</summary>
    public int StatusCode { get; }
}
