using System.Buffers;
using System.Text;

namespace Ouinet.Http;

/// <summary>
/// Writes HTTP/1.1 message pieces to any <see cref="IBufferWriter{T}"/> (a PipeWriter, an ArrayBufferWriter):
/// each call sizes its output first and writes Latin-1 bytes into one span. Output is byte-exact with what
/// Ouinet C++ emits: <c>Name: value</c> fields, lower-case hex chunk sizes, extension values always quoted.
/// Values are checked, so nothing a caller passes can inject a line.
/// </summary>
public static class HttpWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void WriteRequestHead(IBufferWriter<byte> writer, HttpRequestHead head)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(head);
        if (!HttpSyntax.IsToken(head.Method))
        {
            throw new ArgumentException($"Invalid method \"{head.Method}\": must be a token.", nameof(head));
        }
        if (head.Target.Length == 0 || head.Target.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw new ArgumentException("Invalid request target: empty, or holds spaces, controls or non-ASCII.", nameof(head));
        }
        var length = head.Method.Length + 1 + head.Target.Length + 1 + 8 + 2 + FieldsLength(head.Fields) + 2;
        var span = writer.GetSpan(length);
        var p = Put(span, head.Method);
        span[p++] = (byte)' ';
        p += Put(span[p..], head.Target);
        span[p++] = (byte)' ';
        p += PutVersion(span[p..], head.Version);
        p += Put(span[p..], Crlf);
        p += PutFields(span[p..], head.Fields);
        p += Put(span[p..], Crlf);
        writer.Advance(p);
    }

    /// <summary>Writes the status line (<c>HTTP/1.1 200 OK</c>; the SP before an empty reason is kept) and the fields.</summary>
    public static void WriteResponseHead(IBufferWriter<byte> writer, HttpResponseHead head)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(head);
        if (head.StatusCode is < 100 or > 999)
        {
            throw new ArgumentException($"Status code {head.StatusCode} is not three digits.", nameof(head));
        }
        if (!IsFieldValue(head.Reason))
        {
            throw new ArgumentException("Reason phrase holds a control or non-Latin-1 character.", nameof(head));
        }
        var length = 8 + 1 + 3 + 1 + head.Reason.Length + 2 + FieldsLength(head.Fields) + 2;
        var span = writer.GetSpan(length);
        var p = PutVersion(span, head.Version);
        span[p++] = (byte)' ';
        head.StatusCode.TryFormat(span[p..], out var digits);
        p += digits;
        span[p++] = (byte)' ';
        p += Put(span[p..], head.Reason);
        p += Put(span[p..], Crlf);
        p += PutFields(span[p..], head.Fields);
        p += Put(span[p..], Crlf);
        writer.Advance(p);
    }

    /// <summary>
    /// Writes <c>size[;name[="value"]]...CRLF</c> before a chunk's data. The size must be positive: a 0 would end
    /// the body, which is <see cref="WriteLastChunk"/>'s job.
    /// </summary>
    public static void WriteChunkHeader(IBufferWriter<byte> writer, long size, IEnumerable<ChunkExtension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, ChunkedParser.MaxChunkSize);
        WriteChunkLine(writer, size, extensions);
    }

    /// <summary>Writes the CRLF that ends a chunk's data.</summary>
    public static void WriteChunkEnd(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Crlf);
    }

    /// <summary>Writes <c>0[;ext]...CRLF</c>, the trailer fields and the final CRLF: the end of a chunked body.</summary>
    public static void WriteLastChunk(IBufferWriter<byte> writer, IEnumerable<ChunkExtension>? extensions = null, HttpFields? trailers = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteChunkLine(writer, 0, extensions);
        WriteFields(writer, trailers ?? []);
        writer.Write(Crlf);
    }

    /// <summary>Writes <c>Name: value CRLF</c> for each field, in order (no final empty line).</summary>
    public static void WriteFields(IBufferWriter<byte> writer, IReadOnlyList<HttpField> fields)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fields);
        var span = writer.GetSpan(FieldsLength(fields));
        writer.Advance(PutFields(span, fields));
    }

    private static void WriteChunkLine(IBufferWriter<byte> writer, long size, IEnumerable<ChunkExtension>? extensions)
    {
        // Indexing, not foreach: enumerating through the interface would allocate on every chunk.
        var list = extensions as IReadOnlyList<ChunkExtension> ?? extensions?.ToList() ?? [];
        var length = 16 + 2;
        for (var i = 0; i < list.Count; i++)
        {
            length += ExtensionLength(list[i]);
        }
        var span = writer.GetSpan(length);
        size.TryFormat(span, out var p, "x");
        for (var i = 0; i < list.Count; i++)
        {
            p += PutExtension(span[p..], list[i]);
        }
        p += Put(span[p..], Crlf);
        writer.Advance(p);
    }

    private static int ExtensionLength(ChunkExtension e)
    {
        if (!HttpSyntax.IsToken(e.Name))
        {
            throw new ArgumentException($"Invalid chunk extension name \"{e.Name}\": must be a token.", nameof(e));
        }
        if (e.Value is null)
        {
            return 1 + e.Name.Length;
        }
        if (!IsFieldValue(e.Value))
        {
            throw new ArgumentException($"Chunk extension {e.Name} has a control or non-Latin-1 character in its value.", nameof(e));
        }
        return 1 + e.Name.Length + 3 + e.Value.Length + e.Value.AsSpan().Count('"') + e.Value.AsSpan().Count('\\');
    }

    /// <summary><c>;name</c> or <c>;name="value"</c>, with <c>"</c> and <c>\</c> escaped.</summary>
    private static int PutExtension(Span<byte> span, ChunkExtension e)
    {
        span[0] = (byte)';';
        var p = 1 + Put(span[1..], e.Name);
        if (e.Value is null)
        {
            return p;
        }
        span[p++] = (byte)'=';
        span[p++] = (byte)'"';
        var value = e.Value.AsSpan();
        while (!value.IsEmpty)
        {
            var special = value.IndexOfAny('"', '\\');
            var run = special < 0 ? value : value[..special];
            p += Put(span[p..], run);
            if (special < 0)
            {
                break;
            }
            span[p++] = (byte)'\\';
            span[p++] = (byte)value[special];
            value = value[(special + 1)..];
        }
        span[p++] = (byte)'"';
        return p;
    }

    private static int FieldsLength(IReadOnlyList<HttpField> fields)
    {
        // HttpFields checked names and values on the way in; any other list is checked here.
        var check = fields is not HttpFields;
        var length = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (check)
            {
                HttpSyntax.ValidateFieldName(f.Name);
                HttpSyntax.ValidateFieldValue(f.Value);
            }
            length += f.Name.Length + 2 + f.Value.Length + 2;
        }
        return length;
    }

    private static int PutFields(Span<byte> span, IReadOnlyList<HttpField> fields)
    {
        var p = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            p += Put(span[p..], f.Name);
            span[p++] = (byte)':';
            span[p++] = (byte)' ';
            p += Put(span[p..], f.Value);
            p += Put(span[p..], Crlf);
        }
        return p;
    }

    /// <summary>HTAB, SP, VCHAR and obs-text only: what a field value, reason phrase or quoted-string may hold.</summary>
    private static bool IsFieldValue(string s)
    {
        foreach (var c in s)
        {
            if (c > 0xff || !HttpSyntax.IsFieldValueChar((byte)c))
            {
                return false;
            }
        }
        return true;
    }

    private static int PutVersion(Span<byte> span, HttpProtocolVersion version) =>
        Put(span, version == HttpProtocolVersion.Http10 ? "HTTP/1.0"u8 : "HTTP/1.1"u8);

    private static int Put(Span<byte> span, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span);
        return bytes.Length;
    }

    // Callers have checked that every char is at most U+00FF, so Latin-1 is the identity on them.
    private static int Put(Span<byte> span, ReadOnlySpan<char> text) => Encoding.Latin1.GetBytes(text, span);
}
