using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Streams;

namespace Ouinet.Cache.Store;

/// <summary>
/// Serves a stored entry as a peer does (the spec's "Peer-to-peer cache entry exchange"): the whole signed entry, or
/// for a <c>Range</c> request a block-aligned 206 with <c>ouipsig</c>/<c>ouihash</c>, or a 416 when the range cannot
/// be satisfied. Streams block by block from disk; the framing is <see cref="PeerResponseWriter"/>'s.
/// </summary>
public static class StoredEntryResponder
{
    /// <summary>
    /// Writes <paramref name="entry"/> to <paramref name="output"/>. With <paramref name="headOnly"/> (a HEAD request)
    /// only the head goes out. Returns what was served.
    /// </summary>
    public static async ValueTask<RangeRequestOutcome> WriteAsync(
        StoredEntry entry, PipeWriter output, string? rangeHeader, bool headOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(output);
        var outcome = RangeRequest.Resolve(rangeHeader, entry.DataSize, entry.BlockSize, out var range);
        if (outcome == RangeRequestOutcome.NotSatisfiable)
        {
            var refusal = new HttpResponseHead(416);
            refusal.Fields.Add("Content-Range", RangeRequest.UnsatisfiableContentRange(entry.DataSize));
            refusal.Fields.Add("Content-Length", "0");
            HttpWriter.WriteResponseHead(output, refusal);
            await output.FlushAsync(cancellationToken);
            return outcome;
        }

        var partial = outcome == RangeRequestOutcome.Partial;
        var writer = partial
            ? PeerResponseWriter.ForRange(output, entry.Head, range, entry.PreviousSignature(range.FirstBlock).Span)
            : PeerResponseWriter.ForEntry(output, entry.Head);
        await writer.WriteHeadAsync(cancellationToken);
        if (headOnly)
        {
            return outcome;
        }
        var (first, last) = partial ? (range.FirstBlock, range.LastBlock) : (0L, entry.BlockCount - 1);
        await foreach (var block in entry.ReadBlocksAsync(first, last, cancellationToken))
        {
            await writer.WriteBlockAsync(block.Data, block.Signature, block.PreviousChainedHash, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
        return outcome;
    }
}
