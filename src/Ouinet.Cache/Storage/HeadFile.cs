using System.Buffers;
using Ouinet.Http;

namespace Ouinet.Cache.Storage;

/// <summary>
/// The <c>head</c> file of an entry: the raw HTTP/1.1 response head (status line, fields, no framing), CRLF lines and a
/// final empty line, exactly as it is sent. Read with a size bound checked before anything is read.
/// </summary>
public static class HeadFile
{
    public const string FileName = "head";

    /// <summary>The largest head file read (the HTTP codec's own head limit).</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    /// <summary>The bytes of the head file for <paramref name="head"/>.</summary>
    public static byte[] Format(HttpResponseHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var writer = new ArrayBufferWriter<byte>(1024);
        HttpWriter.WriteResponseHead(writer, head);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Parses a whole head file: one HTTP/1.1 response head and nothing after it. Returns null and the reason when it
    /// is not one.
    /// </summary>
    public static HttpResponseHead? TryParse(ReadOnlyMemory<byte> content, out string? error)
    {
        error = null;
        // One byte over the content, so that a head without its final empty line reads as incomplete, not too long.
        var limits = new HttpLimits { MaxHeadBytes = content.Length + 1, MaxFieldCount = 256 };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(content));
        HttpResponseHead? head;
        try
        {
            if (!HttpHeadParser.TryParseResponseHead(ref reader, limits, out head))
            {
                error = "the head is incomplete (no final empty line)";
                return null;
            }
        }
        catch (HttpParseException e)
        {
            error = $"malformed head: {e.Message}";
            return null;
        }
        if (!reader.End)
        {
            error = $"{reader.Remaining} bytes follow the head's final empty line";
            return null;
        }
        if (head.Version != HttpProtocolVersion.Http11)
        {
            error = "the status line is not HTTP/1.1";
            return null;
        }
        return head;
    }

    /// <summary>Reads and parses an opened head file, refusing one longer than <paramref name="maxBytes"/> without reading it.</summary>
    internal static HttpResponseHead? TryRead(EntryFile file, int maxBytes, out string? error)
    {
        if (file.Length > maxBytes)
        {
            error = $"head is {file.Length} bytes, more than the {maxBytes} allowed";
            return null;
        }
        if (file.Length == 0)
        {
            error = "head is empty";
            return null;
        }
        var content = new byte[file.Length];
        if (!file.TryReadExactly(content, 0))
        {
            error = "head became shorter while it was read";
            return null;
        }
        return TryParse(content, out error);
    }
}
