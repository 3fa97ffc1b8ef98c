using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Ouinet.Http;

/// <summary>
/// The pieces of the chunked transfer coding (RFC 9112 §7.1), Kestrel style: false means "need more data" and
/// leaves the reader untouched; malformed input throws <see cref="HttpParseException"/> (400, or 502 when
/// <c>fromServer</c>). Chunk lines must end with CRLF: a lenient line end here is how chunked smuggling works.
/// </summary>
public static class ChunkedParser
{
    /// <summary>Largest chunk size accepted: 2^53 - 1, so sizes stay exact as doubles and sums cannot overflow soon.</summary>
    public const long MaxChunkSize = (1L << 53) - 1;

    /// <summary>
    /// Reads <c>chunk-size [ chunk-ext ] CRLF</c>. A size of 0 is the last-chunk line; its extensions are where
    /// Ouinet puts the last block signature. The line, CRLF included, may not exceed <see cref="HttpLimits.MaxChunkLineBytes"/>.
    /// </summary>
    public static bool TryReadChunkHeader(
        ref SequenceReader<byte> reader, HttpLimits limits, bool fromServer, out long size, out IReadOnlyList<ChunkExtension> extensions)
    {
        ArgumentNullException.ThrowIfNull(limits);
        size = 0;
        extensions = [];
        var unread = reader.UnreadSequence;
        var max = limits.MaxChunkLineBytes;
        var window = unread.Length > max ? unread.Slice(0, max) : unread;
        var lf = window.PositionOf((byte)'\n');
        if (lf is null)
        {
            if (unread.Length >= max)
            {
                throw HttpErrors.Malformed(fromServer, HttpParseError.ChunkLineTooLarge, $"Chunk line longer than {max} bytes.");
            }
            return false;
        }
        var line = window.Slice(0, lf.Value);
        using (var bytes = new ContiguousBytes(line))
        {
            ParseChunkLine(bytes.Span, fromServer, out size, out extensions);
        }
        reader.Advance(line.Length + 1);
        return true;
    }

    /// <summary>Reads the CRLF that ends a chunk's data.</summary>
    public static bool TryReadChunkDataEnd(ref SequenceReader<byte> reader, bool fromServer)
    {
        if (reader.TryPeek(out var first) && first != (byte)'\r')
        {
            throw DataEndError(fromServer);
        }
        if (reader.Remaining < 2)
        {
            return false;
        }
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw DataEndError(fromServer);
        }
        return true;
    }

    /// <summary>
    /// Reads the trailer section after the last-chunk line: field lines like a head's, then an empty line.
    /// Limited by <see cref="HttpLimits.MaxTrailerBytes"/> and <see cref="HttpLimits.MaxFieldCount"/>. Empty when none.
    /// </summary>
    public static bool TryReadTrailers(ref SequenceReader<byte> reader, HttpLimits limits, bool fromServer, [NotNullWhen(true)] out HttpFields? trailers)
    {
        var scan = default(SectionScan);
        return TryReadTrailers(ref reader, limits, fromServer, ref scan, out trailers);
    }

    internal static bool TryReadTrailers(
        ref SequenceReader<byte> reader, HttpLimits limits, bool fromServer, ref SectionScan scan, [NotNullWhen(true)] out HttpFields? trailers)
    {
        ArgumentNullException.ThrowIfNull(limits);
        trailers = null;
        var unread = reader.UnreadSequence;
        if (!FieldSectionScanner.TryFindEnd(unread, SectionKind.Trailers, limits.MaxTrailerBytes, fromServer, ref scan, out var length))
        {
            return false;
        }
        trailers = new HttpFields();
        using (var bytes = new ContiguousBytes(unread.Slice(0, length)))
        {
            var pos = 0;
            FieldLineParser.ParseFields(bytes.Span, ref pos, trailers, limits.MaxFieldCount, fromServer, trailers: true);
        }
        reader.Advance(length);
        return true;
    }

    private static void ParseChunkLine(ReadOnlySpan<byte> line, bool fromServer, out long size, out IReadOnlyList<ChunkExtension> extensions)
    {
        if (line.IsEmpty || line[^1] != (byte)'\r' || line[..^1].Contains((byte)'\r'))
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidLineEnding, "Chunk line must end with CRLF (bare LF or CR).");
        }
        line = line[..^1];
        size = 0;
        var i = 0;
        for (; i < line.Length; i++)
        {
            var digit = HexValue(line[i]);
            if (digit < 0)
            {
                break;
            }
            if (size > (MaxChunkSize - digit) / 16)
            {
                throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidChunkSize, "Chunk size is larger than 2^53 - 1.");
            }
            size = (size * 16) + digit;
        }
        if (i == 0)
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidChunkSize, "Chunk line does not start with a hexadecimal size.");
        }
        if (i < line.Length && line[i] is not ((byte)';' or (byte)' ' or (byte)'\t'))
        {
            throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidChunkSize, "Chunk size holds a character that is not a hex digit.");
        }
        extensions = ChunkExtensionParser.Parse(line[i..], fromServer);
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static HttpParseException DataEndError(bool fromServer) =>
        HttpErrors.Malformed(fromServer, HttpParseError.InvalidChunkData, "Chunk data is not followed by CRLF (more data than the chunk size said?).");
}
