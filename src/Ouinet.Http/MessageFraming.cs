namespace Ouinet.Http;

/// <summary>Decides how a body is delimited from its head (RFC 9112 §6.3), rejecting ambiguous framing.</summary>
internal static class MessageFraming
{
    public static BodyFraming ForRequest(HttpRequestHead head, out long? contentLength)
    {
        contentLength = null;
        var fields = head.Fields;
        if (fields.Contains("Transfer-Encoding"))
        {
            if (fields.Contains("Content-Length"))
            {
                // §6.3 item 3: a server may process such a request, but it is the classic smuggling vector.
                throw HttpErrors.Malformed(false, HttpParseError.ConflictingFraming, "Request has both Transfer-Encoding and Content-Length.");
            }
            if (head.Version == HttpProtocolVersion.Http10)
            {
                // §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
                throw HttpErrors.Malformed(false, HttpParseError.UnsupportedTransferEncoding, "HTTP/1.0 request with Transfer-Encoding.");
            }
            return ChunkedIsFinal(fields, fromServer: false)
                ? BodyFraming.Chunked
                : throw HttpErrors.Malformed(false, HttpParseError.UnsupportedTransferEncoding,
                    "Request Transfer-Encoding does not end with chunked: its length cannot be determined (RFC 9112 §6.3).");
        }
        contentLength = ParseContentLength(fields, fromServer: false);
        return contentLength is null ? BodyFraming.None : BodyFraming.ContentLength;
    }

    public static BodyFraming ForResponse(HttpResponseHead head, string requestMethod, out long? contentLength)
    {
        contentLength = null;
        var status = head.StatusCode;
        if (requestMethod == "HEAD" || status is < 200 or 204 or 304 || (requestMethod == "CONNECT" && status is >= 200 and < 300))
        {
            return BodyFraming.None;
        }
        var fields = head.Fields;
        if (fields.Contains("Transfer-Encoding"))
        {
            // Content-Length, if any, is ignored: chunked wins (§6.3 item 3).
            if (head.Version == HttpProtocolVersion.Http10)
            {
                return BodyFraming.UntilClose;
            }
            return ChunkedIsFinal(fields, fromServer: true) ? BodyFraming.Chunked : BodyFraming.UntilClose;
        }
        contentLength = ParseContentLength(fields, fromServer: true);
        return contentLength is null ? BodyFraming.UntilClose : BodyFraming.ContentLength;
    }

    /// <summary>
    /// True when the last transfer coding is chunked, false when it is another one. Throws on an empty list or
    /// chunked applied twice (§6.1 forbids it). For a request, codings before chunked are not implemented (501).
    /// </summary>
    private static bool ChunkedIsFinal(HttpFields fields, bool fromServer)
    {
        string? last = null;
        int count = 0, chunked = 0;
        foreach (var value in fields.GetAll("Transfer-Encoding"))
        {
            foreach (var element in value.Split(','))
            {
                var coding = element.Trim(' ', '\t');
                if (coding.Length == 0)
                {
                    continue;
                }
                last = coding;
                count++;
                chunked += IsChunked(coding) ? 1 : 0;
            }
        }
        if (last is null)
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.UnsupportedTransferEncoding, "Empty Transfer-Encoding.");
        }
        if (chunked > 1)
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.UnsupportedTransferEncoding, "Transfer-Encoding applies chunked more than once.");
        }
        if (!IsChunked(last))
        {
            return false;
        }
        if (count > 1 && !fromServer)
        {
            throw HttpErrors.NotImplemented(false, HttpParseError.UnsupportedTransferEncoding,
                "Request uses a transfer coding other than chunked, which we do not implement.");
        }
        return true;
    }

    private static bool IsChunked(string coding) => coding.Equals("chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The single non-negative decimal length, or null when absent. Repeats (as fields or as a list) must be identical
    /// (RFC 9110 §8.6); anything else is an error, since guessing here is how responses get split.
    /// </summary>
    private static long? ParseContentLength(HttpFields fields, bool fromServer)
    {
        long? length = null;
        foreach (var value in fields.GetAll("Content-Length"))
        {
            foreach (var element in value.Split(','))
            {
                var text = element.Trim(' ', '\t');
                if (text.Length == 0 || !text.All(char.IsAsciiDigit) || !long.TryParse(text, out var n))
                {
                    throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidContentLength, "Content-Length is not a non-negative decimal number.");
                }
                if (length is not null && length != n)
                {
                    throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidContentLength, "Differing Content-Length values.");
                }
                length = n;
            }
        }
        return length;
    }
}
