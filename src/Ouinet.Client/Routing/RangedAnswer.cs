using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Client.DistributedCache;
using Ouinet.Client.Proxy;
using Ouinet.Client.Responses;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Client.Routing;

/// <summary>
/// A large entry taken from several peers by ranges (<see cref="RangeFetch"/>): the browser gets the verified head, then
/// the segments in order as they are done, each block as verified; the entry is recorded at the same time when it may be
/// stored and committed only once the whole body matched the signed data size and digest. When no peer is left to give
/// a segment, the browser connection is cut (no last chunk) and nothing is stored.
/// </summary>
internal sealed class RangedAnswer(RangeFetch fetch, HttpResponseHead signedHead, InjectorPublicKey key, int blockSize, SignedStore? store, string uri, string group,
    IDisposable lookup, ILogger logger, Action onStored) : Answer
{
    public override Mechanism Source => Mechanism.DistributedCache;

    public override int Status => signedHead.StatusCode;

    /// <summary>Whether the entry was stored (known once sent).</summary>
    public bool Stored { get; private set; }

    public override async Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken)
    {
        var head = BrowserHead.FromSigned(signedHead, Mechanism.DistributedCache);
        var chunked = browser.CanChunk;
        var close = !browser.KeepAlive || !chunked;
        if (chunked)
        {
            head.Fields.Add("Transfer-Encoding", "chunked");
        }
        browser.SetConnection(head, close);
        HttpWriter.WriteResponseHead(browser.Output, head);
        await browser.FlushAsync(cancellationToken);
        fetch.Start();
        var output = browser.Output;
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        var entry = store?.BeginEntry(uri);
        long total = 0;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            ReadOnlyMemory<byte>? chained = null;
            for (var i = 0; i < fetch.SegmentCount; i++)
            {
                var segment = await fetch.WaitAsync(i, cancellationToken);
                var file = new FileStream(segment.File!, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous);
                await using (file)
                {
                    foreach (var block in segment.Blocks)
                    {
                        var data = buffer.AsMemory(0, block.Size);
                        await file.ReadExactlyAsync(data, cancellationToken);
                        // Each block's signature signs its chained hash, so ranges of one injection chain up; check it anyway.
                        if (chained is { } previous && !previous.Span.SequenceEqual(block.PreviousChainedHash.Span))
                        {
                            throw new OuinetVerificationException(OuinetVerificationError.Chain, $"Range {i} does not chain to the one before it.");
                        }
                        chained = block.ChainedHash;
                        sha.AppendData(data.Span);
                        total += data.Length;
                        if (entry is not null)
                        {
                            await entry.AppendBlockAsync(data, SigsLine.Create(block.Offset, block.Signature.Span, block.Hash.Span, block.PreviousChainedHash.Span), cancellationToken);
                        }
                        if (browser.IsHead || data.IsEmpty)
                        {
                            continue;
                        }
                        if (chunked)
                        {
                            HttpWriter.WriteChunkHeader(output, data.Length);
                        }
                        output.Write(data.Span);
                        if (chunked)
                        {
                            HttpWriter.WriteChunkEnd(output);
                        }
                        await browser.FlushAsync(cancellationToken);
                    }
                }
                fetch.Release(i);
            }
            var storedHead = RangedEntry.CompleteHead(fetch.RangeHead!, key, total, sha.GetHashAndReset());
            if (entry is not null)
            {
                await entry.CommitAsync(storedHead, group, cancellationToken);
                Stored = true;
                onStored();
            }
            Log.FetchedByRanges(logger, total, fetch.SegmentCount, fetch.PeersUsed, Stored);
        }
        catch (OuinetVerificationException e)
        {
            Log.VerificationFailed(logger, e.Code, e.Message);
            throw new IOException($"The entry put together from peers' ranges failed verification ({e.Code}); the browser connection is cut.", e);
        }
        catch (PeerException e)
        {
            Log.RangeFetchCutShort(logger, total, fetch.DataSize, e.Message);
            throw new IOException($"The distributed cache could not finish the entry: {e.Message}; the browser connection is cut.", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (entry is not null)
            {
                await entry.DisposeAsync();
            }
        }
        if (chunked)
        {
            HttpWriter.WriteLastChunk(output);
        }
        await browser.FlushAsync(cancellationToken);
        return !close;
    }

    public override async ValueTask DisposeAsync()
    {
        await fetch.DisposeAsync();
        lookup.Dispose();
    }
}
