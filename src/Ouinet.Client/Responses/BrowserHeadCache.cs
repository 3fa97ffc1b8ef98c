using System.Buffers;
using System.Globalization;
using Ouinet.Cache.Store;
using Ouinet.Client.Routing;
using Ouinet.Http;

namespace Ouinet.Client.Responses;

/// <summary>
/// The browser head of one open stored entry, serialized once: a whole-body answer with no added fields (the usual
/// fresh hit) is the same bytes every time, so a hit copies them instead of shaping and writing the head again. One
/// instance belongs to one open version of an entry (<see cref="Caching.LocalCache"/> keeps them together), so a
/// replaced entry starts with an empty cache and never shows an old head.
/// </summary>
public sealed class BrowserHeadCache
{
    private Serialized? _whole;

    /// <summary>The head of <paramref name="entry"/>'s whole body as <paramref name="source"/> gives it, with <c>Content-Length</c>.</summary>
    public ReadOnlyMemory<byte> Whole(StoredEntry entry, Mechanism source)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Volatile.Read(ref _whole) is { } known && known.Source == source)
        {
            return known.Bytes;
        }
        var head = BrowserHead.FromSigned(entry.Head, source);
        head.Fields.Set("Content-Length", entry.DataSize.ToString(CultureInfo.InvariantCulture));
        var buffer = new ArrayBufferWriter<byte>(512);
        HttpWriter.WriteResponseHead(buffer, head);
        // Two requests may build it at once: both results are the same bytes, either may stay.
        var made = new Serialized(source, buffer.WrittenMemory.ToArray());
        Volatile.Write(ref _whole, made);
        return made.Bytes;
    }

    private sealed record Serialized(Mechanism Source, byte[] Bytes);
}
