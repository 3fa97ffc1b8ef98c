using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Ouinet.Http;

/// <summary>
/// Parses HTTP/1.x message heads (start line, field lines, empty line) from buffered bytes, Kestrel style:
/// false means "need more data" and leaves the reader untouched; malformed or over-limit input throws
/// <see cref="HttpParseException"/>. Heads with a bare LF or CR, obs-fold, or whitespace before a colon are rejected.
/// </summary>
public static class HttpHeadParser
{
    public static bool TryParseRequestHead(ref SequenceReader<byte> reader, HttpLimits limits, [NotNullWhen(true)] out HttpRequestHead? head)
    {
        var scan = default(SectionScan);
        return TryParseRequestHead(ref reader, limits, ref scan, out head);
    }

    public static bool TryParseResponseHead(ref SequenceReader<byte> reader, HttpLimits limits, [NotNullWhen(true)] out HttpResponseHead? head)
    {
        var scan = default(SectionScan);
        return TryParseResponseHead(ref reader, limits, ref scan, out head);
    }

    /// <summary>Resumable form: <paramref name="scan"/> remembers how far earlier calls on the same input looked.</summary>
    internal static bool TryParseRequestHead(ref SequenceReader<byte> reader, HttpLimits limits, ref SectionScan scan, [NotNullWhen(true)] out HttpRequestHead? head)
    {
        ArgumentNullException.ThrowIfNull(limits);
        head = null;
        var unread = reader.UnreadSequence;
        if (!FieldSectionScanner.TryFindEnd(unread, SectionKind.RequestHead, limits.MaxHeadBytes, fromServer: false, ref scan, out var length))
        {
            return false;
        }
        using (var bytes = new ContiguousBytes(unread.Slice(0, length)))
        {
            head = ParseRequest(bytes.Span, limits);
        }
        reader.Advance(length);
        return true;
    }

    internal static bool TryParseResponseHead(ref SequenceReader<byte> reader, HttpLimits limits, ref SectionScan scan, [NotNullWhen(true)] out HttpResponseHead? head)
    {
        ArgumentNullException.ThrowIfNull(limits);
        head = null;
        var unread = reader.UnreadSequence;
        if (!FieldSectionScanner.TryFindEnd(unread, SectionKind.ResponseHead, limits.MaxHeadBytes, fromServer: true, ref scan, out var length))
        {
            return false;
        }
        using (var bytes = new ContiguousBytes(unread.Slice(0, length)))
        {
            head = ParseResponse(bytes.Span, limits);
        }
        reader.Advance(length);
        return true;
    }

    private static HttpRequestHead ParseRequest(ReadOnlySpan<byte> section, HttpLimits limits)
    {
        var pos = 0;
        while (section[pos..].StartsWith("\r\n"u8))
        {
            pos += 2;
        }
        var line = FieldLineParser.NextLine(section, ref pos, fromServer: false);

        // method SP request-target SP HTTP-version: the target may not hold spaces, so the last SP ends it.
        var sp1 = line.IndexOf((byte)' ');
        var sp2 = line.LastIndexOf((byte)' ');
        if (sp1 < 0 || sp1 == sp2)
        {
            throw HttpErrors.Malformed(false, HttpParseError.InvalidStartLine, "Request line is not: method SP target SP version.");
        }
        var method = line[..sp1];
        if (!HttpSyntax.IsToken(method))
        {
            throw HttpErrors.Malformed(false, HttpParseError.InvalidMethod, "Request method is not a token.");
        }
        var target = line[(sp1 + 1)..sp2];
        var version = ParseVersion(line[(sp2 + 1)..], fromServer: false);
        var problem = RequestTarget.Validate(method, target);
        if (problem is not null)
        {
            throw HttpErrors.Malformed(false, HttpParseError.InvalidRequestTarget, problem);
        }

        var fields = new HttpFields();
        FieldLineParser.ParseFields(section, ref pos, fields, limits.MaxFieldCount, fromServer: false, trailers: false);
        CheckHost(fields, version);
        return new HttpRequestHead(Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), version, fields);
    }

    private static HttpResponseHead ParseResponse(ReadOnlySpan<byte> section, HttpLimits limits)
    {
        var pos = 0;
        var line = FieldLineParser.NextLine(section, ref pos, fromServer: true);

        // HTTP-version SP 3DIGIT SP [reason]. "HTTP/1.1 200" without SP and reason is accepted: servers send it,
        // curl and Go accept it, and the reason phrase means nothing (RFC 9112 §4: clients SHOULD ignore it).
        var sp = line.IndexOf((byte)' ');
        if (sp < 0)
        {
            throw HttpErrors.Malformed(true, HttpParseError.InvalidStartLine, "Status line is not: version SP status SP reason.");
        }
        var version = ParseVersion(line[..sp], fromServer: true);
        var rest = line[(sp + 1)..];
        if (rest.Length < 3 || (rest.Length > 3 && rest[3] != (byte)' '))
        {
            throw HttpErrors.Malformed(true, HttpParseError.InvalidStatusCode, "Status code is not three digits.");
        }
        var status = 0;
        foreach (var c in rest[..3])
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                throw HttpErrors.Malformed(true, HttpParseError.InvalidStatusCode, "Status code is not three digits.");
            }
            status = (status * 10) + (c - '0');
        }
        if (status < 100)
        {
            throw HttpErrors.Malformed(true, HttpParseError.InvalidStatusCode, $"Status code {status:000} is below 100.");
        }
        var reason = rest.Length > 3 ? rest[4..] : [];
        foreach (var c in reason)
        {
            if (!HttpSyntax.IsFieldValueChar(c))
            {
                throw HttpErrors.Malformed(true, HttpParseError.InvalidStartLine, "Control character in the reason phrase.");
            }
        }

        var fields = new HttpFields();
        FieldLineParser.ParseFields(section, ref pos, fields, limits.MaxFieldCount, fromServer: true, trailers: false);
        return new HttpResponseHead(status, Encoding.Latin1.GetString(reason), version, fields);
    }

    private static HttpProtocolVersion ParseVersion(ReadOnlySpan<byte> v, bool fromServer)
    {
        if (v.SequenceEqual("HTTP/1.1"u8))
        {
            return HttpProtocolVersion.Http11;
        }
        if (v.SequenceEqual("HTTP/1.0"u8))
        {
            return HttpProtocolVersion.Http10;
        }
        if (v.Length == 8 && v.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)v[5]) && v[6] == (byte)'.' && char.IsAsciiDigit((char)v[7]))
        {
            throw HttpErrors.UnsupportedVersion(fromServer, $"HTTP version {Encoding.ASCII.GetString(v[5..])} is not supported (only 1.0 and 1.1).");
        }
        throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidStartLine, "Malformed HTTP version.");
    }

    /// <summary>An ASCII Host value checked as bytes (on the stack: the parser is on every request's path).</summary>
    private static bool IsValidHost(string host)
    {
        Span<byte> bytes = host.Length <= 256 ? stackalloc byte[host.Length] : new byte[host.Length];
        Encoding.Latin1.GetBytes(host, bytes);
        return RequestTarget.IsValidHostField(bytes);
    }

    /// <summary>RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any with several or an invalid one.</summary>
    private static void CheckHost(HttpFields fields, HttpProtocolVersion version)
    {
        string? host = null;
        var count = 0;
        foreach (var field in fields)
        {
            if (field.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                host = field.Value;
                count++;
            }
        }
        if (count > 1)
        {
            throw HttpErrors.Malformed(false, HttpParseError.InvalidHost, "More than one Host field.");
        }
        if (host is null)
        {
            if (version == HttpProtocolVersion.Http11)
            {
                throw HttpErrors.Malformed(false, HttpParseError.InvalidHost, "HTTP/1.1 request without a Host field.");
            }
            return;
        }
        if (host.AsSpan().ContainsAnyExceptInRange('\0', '\x7f') || !IsValidHost(host))
        {
            throw HttpErrors.Malformed(false, HttpParseError.InvalidHost, "Invalid Host field value.");
        }
    }
}
