namespace Ouinet.Http;

/// <summary>
/// Builds <see cref="HttpParseException"/>s with the status that fits who sent the input: a client's request
/// gets 400/413/431/501/505, an upstream server's response always 502 (we answer our own client with it).
/// </summary>
internal static class HttpErrors
{
    public static HttpParseException Malformed(bool fromServer, HttpParseError error, string message) =>
        new(error, fromServer ? 502 : 400, message);

    /// <summary>Head, trailers or a field count over the limit.</summary>
    public static HttpParseException FieldsTooLarge(bool fromServer, HttpParseError error, string message) =>
        new(error, fromServer ? 502 : 431, message);

    public static HttpParseException BodyTooLarge(bool fromServer, string message) =>
        new(HttpParseError.BodyTooLarge, fromServer ? 502 : 413, message);

    /// <summary>A transfer coding we do not implement (RFC 9112 §6.1: 501 for a request).</summary>
    public static HttpParseException NotImplemented(bool fromServer, HttpParseError error, string message) =>
        new(error, fromServer ? 502 : 501, message);

    /// <summary>A well-formed version other than 1.0/1.1 (RFC 9110 §15.6.6: 505 for a request).</summary>
    public static HttpParseException UnsupportedVersion(bool fromServer, string message) =>
        new(HttpParseError.UnsupportedVersion, fromServer ? 502 : 505, message);

    public static HttpParseException Truncated(bool fromServer, string message) =>
        new(HttpParseError.UnexpectedEndOfStream, fromServer ? 502 : 400, message);
}
