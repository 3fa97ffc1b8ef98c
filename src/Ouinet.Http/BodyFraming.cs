namespace Ouinet.Http;

/// <summary>How a message's body is delimited (RFC 9112 §6.3).</summary>
public enum BodyFraming
{
    /// <summary>No body: HEAD responses, 1xx/204/304, 2xx to CONNECT, requests without Content-Length or chunked.</summary>
    None,
    /// <summary>Exactly <see cref="HttpBodyReader.ContentLength"/> bytes.</summary>
    ContentLength,
    /// <summary>Chunked transfer coding: chunks with extensions, then trailers.</summary>
    Chunked,
    /// <summary>A response whose body runs until the server closes the connection (no keep-alive after it).</summary>
    UntilClose,
}
