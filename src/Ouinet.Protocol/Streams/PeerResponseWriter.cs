using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Blocks;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Frames a stored entry as a peer serves it, from its stored head and per-block data, signatures and chained hashes
/// (what a <c>sigs</c> file holds). Pure framing: nothing is hashed or checked beyond the block count of a range.
/// <list type="bullet">
/// <item>The whole entry (<see cref="ForEntry"/>): the stored head plus <c>Transfer-Encoding: chunked</c>; one chunk per
/// block; the size line after block <c>i</c> carries <c>ouisig(i)</c> and, for <c>i ≥ 1</c>,
/// <c>ouihash=chained-hash(i-1)</c> (C3); the last ones on the last-chunk line; an empty trailer.</item>
/// <item>A 206 (<see cref="ForRange"/>): status 206, the stored head plus <c>X-Ouinet-HTTP-Status</c>,
/// <c>Content-Range</c>, <c>Transfer-Encoding</c> (C5e); when the range does not start at block 0 its first chunk line
/// carries <c>ouipsig=block-signature(i-1)</c> and <c>ouihash=chained-hash(i-1)</c> (the spec's form, C4).</item>
/// </list>
/// Call <see cref="WriteHeadAsync"/>, then <see cref="WriteBlockAsync"/> for each block in order, then <see cref="CompleteAsync"/>.
/// </summary>
public sealed class PeerResponseWriter
{
    private readonly PipeWriter _output;
    private readonly HttpResponseHead _head;
    private readonly BlockRange? _range;
    private readonly byte[]? _rangePreviousSignature;
    private readonly byte[] _pendingSignature = new byte[BlockSignature.Size];
    private readonly byte[] _pendingPreviousHash = new byte[BlockHash.Size];
    private long _nextIndex;
    private long _written;
    private bool _hasPending;
    private State _state;

    private enum State
    {
        Created,
        HeadWritten,
        Completed,
    }

    private PeerResponseWriter(PipeWriter output, HttpResponseHead head, BlockRange? range, byte[]? rangePreviousSignature)
    {
        _output = output;
        _head = head;
        _range = range;
        _rangePreviousSignature = rangePreviousSignature;
        _nextIndex = range?.FirstBlock ?? 0;
    }

    /// <summary>A writer for the whole entry whose stored head is <paramref name="storedHead"/> (no framing fields).</summary>
    public static PeerResponseWriter ForEntry(PipeWriter output, HttpResponseHead storedHead)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(storedHead);
        var head = storedHead.Clone();
        head.Fields.Add("Transfer-Encoding", "chunked");
        return new PeerResponseWriter(output, head, null, null);
    }

    /// <summary>
    /// A writer for <paramref name="range"/> of the entry. <paramref name="previousSignature"/> is
    /// <c>block-signature(FirstBlock - 1)</c>, required when the range does not start at block 0; the matching
    /// <c>chained-hash(FirstBlock - 1)</c> is the first block's previous chained hash.
    /// </summary>
    public static PeerResponseWriter ForRange(PipeWriter output, HttpResponseHead storedHead, BlockRange range, ReadOnlySpan<byte> previousSignature = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(storedHead);
        if (range.FirstBlock > 0 && previousSignature.Length != BlockSignature.Size)
        {
            throw new ArgumentException($"A range from block {range.FirstBlock} needs block-signature({range.FirstBlock - 1}).", nameof(previousSignature));
        }
        var head = storedHead.Clone();
        var status = head.StatusCode;
        head.StatusCode = 206;
        head.Reason = ReasonPhrases.For(206);
        head.Fields.Add(OuinetHeaders.HttpStatus, status.ToString(CultureInfo.InvariantCulture));
        head.Fields.Add("Content-Range", range.ContentRange);
        head.Fields.Add("Transfer-Encoding", "chunked");
        return new PeerResponseWriter(output, head, range, range.FirstBlock > 0 ? previousSignature.ToArray() : null);
    }

    /// <summary>The head as it is written.</summary>
    public HttpResponseHead Head => _head;

    public async ValueTask WriteHeadAsync(CancellationToken cancellationToken = default)
    {
        Expect(State.Created);
        HttpWriter.WriteResponseHead(_output, _head);
        _state = State.HeadWritten;
        await PipeFlush.FlushAsync(_output, cancellationToken);
    }

    /// <summary>
    /// Writes the next block: <paramref name="data"/> (empty only for an empty body's single block, C1),
    /// <c>block-signature(i)</c> and <c>chained-hash(i-1)</c> (empty or the <c>sigs</c> file's NUL placeholder for block 0).
    /// </summary>
    public async ValueTask WriteBlockAsync(ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte> previousChainedHash, CancellationToken cancellationToken = default)
    {
        Expect(State.HeadWritten);
        if (signature.Length != BlockSignature.Size)
        {
            throw new ArgumentException($"A block signature is {BlockSignature.Size} bytes.", nameof(signature));
        }
        if (_nextIndex > 0 && previousChainedHash.Length != BlockHash.Size)
        {
            throw new ArgumentException($"Block {_nextIndex} needs chained-hash({_nextIndex - 1}).", nameof(previousChainedHash));
        }
        if (_range is { } range && (_nextIndex > range.LastBlock || _written + data.Length > range.Length))
        {
            throw new InvalidOperationException($"Block {_nextIndex} ({data.Length} bytes) goes past {range.ContentRange}.");
        }
        if (!data.IsEmpty)
        {
            HttpWriter.WriteChunkHeader(_output, data.Length, LineExtensions(previousChainedHash.Span));
            _output.Write(data.Span);
            HttpWriter.WriteChunkEnd(_output);
        }
        signature.Span.CopyTo(_pendingSignature);
        if (_nextIndex > 0)
        {
            previousChainedHash.Span.CopyTo(_pendingPreviousHash);
        }
        _hasPending = true;
        _written += data.Length;
        _nextIndex++;
        await PipeFlush.FlushAsync(_output, cancellationToken);
    }

    /// <summary>Writes a block as a signer or verifier described it.</summary>
    public ValueTask WriteBlockAsync(ReadOnlyMemory<byte> data, SignedBlock block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        return WriteBlockAsync(data, block.Signature, block.PreviousChainedHash, cancellationToken);
    }

    /// <summary>Writes the last-chunk line with the last block's signature and an empty trailer.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        Expect(State.HeadWritten);
        if (_range is { } range && (_nextIndex != range.LastBlock + 1 || _written != range.Length))
        {
            throw new InvalidOperationException($"Only {_written} bytes up to block {_nextIndex - 1} were written for {range.ContentRange}.");
        }
        HttpWriter.WriteLastChunk(_output, LineExtensions(default));
        _state = State.Completed;
        await PipeFlush.FlushAsync(_output, cancellationToken);
    }

    /// <summary>
    /// The extensions of the size line before block <c>_nextIndex</c> (or of the last-chunk line): the previous block's
    /// signature and chained hash, or, on a range's first line, <c>ouipsig</c> and <c>ouihash</c>.
    /// </summary>
    private ChunkExtension[] LineExtensions(ReadOnlySpan<byte> previousChainedHash)
    {
        if (_hasPending)
        {
            var signature = OuinetChunkExtensions.Create(OuinetChunkExtensions.BlockSignature, _pendingSignature);
            return _nextIndex - 1 >= 1
                ? [signature, OuinetChunkExtensions.Create(OuinetChunkExtensions.PreviousChainedHash, _pendingPreviousHash)]
                : [signature];
        }
        if (_rangePreviousSignature is not null && !previousChainedHash.IsEmpty)
        {
            return
            [
                OuinetChunkExtensions.Create(OuinetChunkExtensions.PreviousBlockSignature, _rangePreviousSignature),
                OuinetChunkExtensions.Create(OuinetChunkExtensions.PreviousChainedHash, previousChainedHash),
            ];
        }
        return [];
    }

    private void Expect(State state)
    {
        if (_state != state)
        {
            throw new InvalidOperationException($"The writer is {_state}; this call needs {state}.");
        }
    }
}
