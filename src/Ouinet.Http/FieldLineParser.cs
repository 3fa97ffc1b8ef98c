using System.Text;

namespace Ouinet.Http;

/// <summary>Parses the field lines of a head or trailer section (RFC 9112 §5) that the scanner found complete.</summary>
internal static class FieldLineParser
{
    /// <summary>
    /// Reads field lines from <paramref name="section"/> at <paramref name="pos"/> up to and including the empty
    /// line. The scanner has already checked that every line ends with CRLF and that the empty line is there.
    /// </summary>
    public static void ParseFields(ReadOnlySpan<byte> section, ref int pos, HttpFields fields, int maxFieldCount, bool fromServer, bool trailers)
    {
        var first = true;
        while (true)
        {
            var line = NextLine(section, ref pos, fromServer);
            if (line.IsEmpty)
            {
                return;
            }
            if (fields.Count >= maxFieldCount)
            {
                throw HttpErrors.FieldsTooLarge(fromServer, HttpParseError.TooManyFields,
                    $"More than {maxFieldCount} {(trailers ? "trailer" : "header")} fields.");
            }
            ParseFieldLine(line, fields, fromServer, first);
            first = false;
        }
    }

    /// <summary>The next line without its CRLF; rejects a CR anywhere else in it (bare CR).</summary>
    public static ReadOnlySpan<byte> NextLine(ReadOnlySpan<byte> section, ref int pos, bool fromServer)
    {
        var rest = section[pos..];
        var lf = rest.IndexOf((byte)'\n');
        // The scanner guarantees lf >= 1 and a CR just before it.
        var line = rest[..(lf - 1)];
        pos += lf + 1;
        if (line.Contains((byte)'\r'))
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidLineEnding, "Bare CR in the message head.");
        }
        return line;
    }

    private static void ParseFieldLine(ReadOnlySpan<byte> line, HttpFields fields, bool fromServer, bool first)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            throw first
                ? HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldName, "Whitespace before the first field line (RFC 9112 §2.2).")
                : HttpErrors.Malformed(fromServer, HttpParseError.ObsoleteLineFolding, "Obsolete line folding (a field line starting with whitespace) is not accepted (RFC 9112 §5.2).");
        }
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldName, "Field line without a colon.");
        }
        var name = line[..colon];
        if (name.IsEmpty)
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldName, "Empty field name.");
        }
        if (name[^1] is (byte)' ' or (byte)'\t')
        {
            // RFC 9112 §5.1: a server MUST reject whitespace between name and colon (smuggling vector).
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldName, "Whitespace between field name and colon.");
        }
        if (!HttpSyntax.IsToken(name))
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldName, "Field name is not a token.");
        }
        var value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var c in value)
        {
            if (!HttpSyntax.IsFieldValueChar(c))
            {
                throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidFieldValue,
                    $"Control character 0x{c:x2} in the value of field {Encoding.Latin1.GetString(name)}.");
            }
        }
        fields.AddTrusted(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value));
    }
}
