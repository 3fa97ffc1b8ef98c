using System.Buffers;

namespace Ouinet.Http;

/// <summary>What precedes the field lines of a section.</summary>
internal enum SectionKind
{
    /// <summary>Request line; empty lines before it are skipped (RFC 9112 §2.2).</summary>
    RequestHead,
    /// <summary>Status line.</summary>
    ResponseHead,
    /// <summary>Nothing: the trailer section after the last chunk.</summary>
    Trailers,
}

/// <summary>
/// How far a search for the end of a section got, so that a caller feeding bytes as they arrive rescans only
/// the new ones (a head trickled a byte at a time must not cost quadratic time).
/// Offsets are from the start of the unconsumed input, which must not move between calls.
/// </summary>
internal struct SectionScan
{
    /// <summary>Offset of the first line not yet looked at.</summary>
    public long NextLine;

    /// <summary>Offset up to which there is no LF past <see cref="NextLine"/>: a long line is not rescanned either.</summary>
    public long ScannedTo;

    /// <summary>A non-empty first line (start line, or first field line of trailers) was seen.</summary>
    public bool SawFirstLine;
}

/// <summary>
/// Finds where a head or trailer section ends (its empty line) without parsing it, so that the allocating parse
/// runs once per message. Enforces the byte limit while incomplete and rejects bare LF as soon as it shows up.
/// </summary>
internal static class FieldSectionScanner
{
    /// <summary>
    /// True with the section's length (through its final CRLF) when complete; false when more bytes are needed.
    /// Throws when the section cannot end within <paramref name="maxBytes"/>.
    /// </summary>
    public static bool TryFindEnd(
        in ReadOnlySequence<byte> buffer, SectionKind kind, int maxBytes, bool fromServer, ref SectionScan scan, out long length)
    {
        var window = buffer.Length > maxBytes ? buffer.Slice(0, maxBytes) : buffer;
        var reader = new SequenceReader<byte>(window);
        reader.Advance(Math.Max(scan.NextLine, scan.ScannedTo));
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            var lineLength = reader.Consumed - 1 - scan.NextLine;
            if (lineLength == 0 || ByteBeforeLf(ref reader) != (byte)'\r')
            {
                // RFC 9112 §2.2 lets a recipient accept a bare LF; we do not: a front end that reads it differently
                // could be made to see other fields than we do (request smuggling), and Beast rejects it too.
                throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidLineEnding, "Bare LF in the message head: lines must end with CRLF.");
            }
            if (lineLength == 1)
            {
                if (scan.SawFirstLine || kind == SectionKind.Trailers)
                {
                    length = reader.Consumed;
                    return true;
                }
                if (kind == SectionKind.ResponseHead)
                {
                    throw HttpErrors.Malformed(fromServer, HttpParseError.InvalidStartLine, "Empty status line.");
                }
                // An empty line before a request line is ignored (RFC 9112 §2.2).
            }
            else
            {
                scan.SawFirstLine = true;
            }
            scan.NextLine = reader.Consumed;
        }
        scan.ScannedTo = window.Length;
        if (buffer.Length >= maxBytes)
        {
            throw kind == SectionKind.Trailers
                ? HttpErrors.FieldsTooLarge(fromServer, HttpParseError.TrailerTooLarge, $"Trailer section longer than {maxBytes} bytes.")
                : HttpErrors.FieldsTooLarge(fromServer, HttpParseError.HeadTooLarge, $"Message head longer than {maxBytes} bytes.");
        }
        length = 0;
        return false;
    }

    /// <summary>True when all of <paramref name="buffer"/> is empty lines a request may be preceded by.</summary>
    public static bool IsOnlyEmptyLines(in ReadOnlySequence<byte> buffer, in SectionScan scan) =>
        !scan.SawFirstLine && scan.NextLine == buffer.Length;

    /// <summary>The byte before the LF the reader just passed (the reader ends where it was).</summary>
    private static byte ByteBeforeLf(ref SequenceReader<byte> reader)
    {
        reader.Rewind(2);
        reader.TryRead(out var b);
        reader.Advance(1);
        return b;
    }
}
