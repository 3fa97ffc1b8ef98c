using System.Buffers;
using System.Text;

namespace Ouinet.Http;

/// <summary>
/// Parses <c>*( BWS ";" BWS name [ BWS "=" BWS value ] )</c> after a chunk size (RFC 9112 §7.1.1).
/// A value is a quoted-string (escapes undone) or, leniently, any run of visible characters other than
/// <c>;</c> and <c>"</c>: the Ouinet spec writes base64 signatures unquoted (<c>ouisig=AbC+/x==</c>),
/// which is not a token, and a verifier must accept that form.
/// </summary>
internal static class ChunkExtensionParser
{
    public static IReadOnlyList<ChunkExtension> Parse(ReadOnlySpan<byte> s, bool fromServer)
    {
        List<ChunkExtension>? list = null;
        var p = 0;
        while (true)
        {
            p = SkipWhitespace(s, p);
            if (p == s.Length)
            {
                return list is null ? [] : list;
            }
            if (s[p] != (byte)';')
            {
                throw Error(fromServer, "expected ';' before a chunk extension");
            }
            p = SkipWhitespace(s, p + 1);
            var nameStart = p;
            while (p < s.Length && HttpSyntax.IsTokenChar(s[p]))
            {
                p++;
            }
            if (p == nameStart)
            {
                throw Error(fromServer, "chunk extension name is not a token");
            }
            var name = Encoding.ASCII.GetString(s[nameStart..p]);
            string? value = null;
            var afterName = SkipWhitespace(s, p);
            if (afterName < s.Length && s[afterName] == (byte)'=')
            {
                p = SkipWhitespace(s, afterName + 1);
                value = p < s.Length && s[p] == (byte)'"' ? ReadQuoted(s, ref p, fromServer) : ReadUnquoted(s, ref p, fromServer);
            }
            (list ??= []).Add(new ChunkExtension(name, value));
        }
    }

    private static string ReadUnquoted(ReadOnlySpan<byte> s, ref int p, bool fromServer)
    {
        var start = p;
        while (p < s.Length && s[p] is > 0x20 and not 0x7f and not (byte)';' and not (byte)'"')
        {
            p++;
        }
        if (p == start)
        {
            throw Error(fromServer, "chunk extension value is empty");
        }
        return Encoding.Latin1.GetString(s[start..p]);
    }

    /// <summary>quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; <paramref name="p"/> is at the opening quote.</summary>
    private static string ReadQuoted(ReadOnlySpan<byte> s, ref int p, bool fromServer)
    {
        // Unescaped text is never longer than the raw text; chunk lines are bounded by MaxChunkLineBytes.
        byte[]? rented = null;
        var buffer = s.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(s.Length));
        try
        {
            var n = 0;
            p++;
            while (p < s.Length)
            {
                var c = s[p++];
                if (c == (byte)'"')
                {
                    return Encoding.Latin1.GetString(buffer[..n]);
                }
                if (c == (byte)'\\')
                {
                    if (p == s.Length || !IsQuotedPairChar(s[p]))
                    {
                        throw Error(fromServer, "bad escape in a quoted chunk extension value");
                    }
                    c = s[p++];
                }
                else if (!IsQdText(c))
                {
                    throw Error(fromServer, "control character in a quoted chunk extension value");
                }
                buffer[n++] = c;
            }
            throw Error(fromServer, "unterminated quoted chunk extension value");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // HTAB / SP / VCHAR except DQUOTE and backslash / obs-text
    private static bool IsQdText(byte c) => c is (byte)'\t' or >= 0x20 and not 0x7f and not (byte)'"' and not (byte)'\\';

    private static bool IsQuotedPairChar(byte c) => c is (byte)'\t' or >= 0x20 and not 0x7f;

    private static int SkipWhitespace(ReadOnlySpan<byte> s, int p)
    {
        while (p < s.Length && s[p] is (byte)' ' or (byte)'\t')
        {
            p++;
        }
        return p;
    }

    private static HttpParseException Error(bool fromServer, string what) =>
        HttpErrors.Malformed(fromServer, HttpParseError.InvalidChunkExtension, $"Malformed chunk line: {what}.");
}
