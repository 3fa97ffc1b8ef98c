using System.Buffers;
using System.Security.Cryptography;
using Ouinet.Http;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// The block part of a signature stream, fed chunk lines and data as they arrive. Holds at most one block, in one
/// pooled buffer, and hands a block out only once the signature on the chunk line after it verified. Any chunking is
/// accepted as long as each block's <c>ouisig</c> sits on the first chunk line after the block's last byte: a line
/// inside a block must carry none, and a chunk crossing a block's end leaves it no line (<c>E_CHUNK_FORMAT</c>).
/// </summary>
internal sealed class BlockChainVerifier : IDisposable
{
    private static readonly byte[] NoChainedHash = new byte[BlockHash.Size];

    private readonly InjectorPublicKey _key;
    private readonly string _injectionId;
    private readonly int _blockSize;
    private readonly long _firstBlock;
    private readonly bool _isRange;
    private readonly IncrementalHash? _digest;
    private byte[]? _buffer;
    private ChainHasher? _chain;
    private int _filled;
    private bool _handedOut;

    /// <param name="digest">Fed each block's data as it is verified (in order), alongside the verification.</param>
    public BlockChainVerifier(InjectorPublicKey key, string injectionId, int blockSize, BlockRange? range, IncrementalHash? digest)
    {
        _digest = digest;
        _key = key;
        _injectionId = injectionId;
        _blockSize = blockSize;
        _firstBlock = range?.FirstBlock ?? 0;
        _isRange = range is not null;
        _buffer = ArrayPool<byte>.Shared.Rent(blockSize);
    }

    /// <summary>Blocks whose signature verified.</summary>
    public long BlockCount { get; private set; }

    /// <summary>The block handed out last; valid until <see cref="Release"/>.</summary>
    public ReadOnlyMemory<byte> Current => Buffer.AsMemory(0, _filled);

    private long NextIndex => _chain?.BlockIndex ?? _firstBlock;

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(BlockChainVerifier));

    /// <summary>Frees the buffer of the block handed out last, for the next one.</summary>
    public void Release()
    {
        if (_handedOut)
        {
            _filled = 0;
            _handedOut = false;
        }
    }

    /// <summary>
    /// Takes a chunk-size line (<paramref name="isLast"/>: the last-chunk line). Returns the block whose signature it
    /// carried, verified, or null when it ends no block.
    /// </summary>
    public SignedBlock? OnChunkLine(IReadOnlyList<ChunkExtension> extensions, long chunkSize, bool isLast)
    {
        var line = OuinetChunkLine.Read(extensions, NextIndex);
        if (_chain is null)
        {
            _chain = StartChain(line);
        }
        else if (line.PreviousSignatures.Count > 0)
        {
            throw Fail(OuinetVerificationError.ChunkFormat, "ouipsig is only valid on the first chunk line of a range.");
        }
        var index = _chain.BlockIndex;
        // An empty body: the last-chunk line may sign one zero-length block (C1) or none (the spec's form).
        var endsBlock = _filled == _blockSize
            || (isLast && (_filled > 0 || (index == 0 && !_isRange && line.Signatures.Count > 0)));
        SignedBlock? verified = null;
        if (!endsBlock)
        {
            if (line.Signatures.Count > 0)
            {
                throw isLast
                    ? Fail(OuinetVerificationError.SignatureCount, "More block signatures than blocks.")
                    : Fail(OuinetVerificationError.ChunkFormat, $"ouisig inside block {index}, which has only {_filled} of its {_blockSize} bytes.");
            }
            if (line.PreviousHashes.Count > 0)
            {
                throw Fail(OuinetVerificationError.ChunkFormat, "ouihash without an ouisig on its line.");
            }
        }
        else
        {
            verified = VerifyBlock(index, line);
        }
        var room = _blockSize - (_handedOut ? 0 : _filled);
        if (!isLast && chunkSize > room)
        {
            throw Fail(OuinetVerificationError.ChunkFormat,
                $"A chunk of {chunkSize} bytes crosses the end of block {NextIndex} ({room} bytes left): its signature would have no chunk line.");
        }
        return verified;
    }

    /// <summary>Adds chunk data to the current block.</summary>
    public void Append(ReadOnlySequence<byte> data)
    {
        if (_chain is null || _filled + data.Length > _blockSize)
        {
            throw Fail(OuinetVerificationError.ChunkFormat, $"Data runs past the end of block {NextIndex} without a chunk line for its signature.");
        }
        data.CopyTo(Buffer.AsSpan(_filled));
        _filled += (int)data.Length;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ChainHasher StartChain(OuinetChunkLine line)
    {
        if (!_isRange || _firstBlock == 0)
        {
            if (line.PreviousSignatures.Count > 0)
            {
                throw Fail(OuinetVerificationError.ChunkFormat, "ouipsig on a response that starts at block 0.");
            }
            return new ChainHasher(_injectionId, _blockSize);
        }
        // C4: without block-signature(i-1) and chained-hash(i-1) the range's first block cannot be chained.
        if (line.PreviousSignatures.Count == 0 || line.PreviousHashes.Count == 0)
        {
            throw new OuinetVerificationException(OuinetVerificationError.RangeUnverifiable,
                $"The range starts at block {_firstBlock} but its first chunk line lacks {(line.PreviousSignatures.Count == 0 ? "ouipsig" : "ouihash")}: block {_firstBlock} cannot be verified.",
                _firstBlock);
        }
        if (line.PreviousSignatures.Count > 1 || line.PreviousHashes.Count > 1)
        {
            throw Fail(OuinetVerificationError.ChunkFormat, "More than one ouipsig or ouihash on a range's first chunk line.");
        }
        var chain = ChainHasher.Resume(_injectionId, _blockSize, _firstBlock, line.PreviousSignatures[0], line.PreviousHashes[0]);
        if (!chain.VerifiesPrevious(_key))
        {
            throw new OuinetVerificationException(OuinetVerificationError.RangePrevious,
                $"ouipsig does not verify as block-signature({_firstBlock - 1}) over ouihash.", _firstBlock - 1);
        }
        line.PreviousHashes.Clear();  // spent on ouipsig, not a C3 ouihash
        return chain;
    }

    private SignedBlock VerifyBlock(long index, OuinetChunkLine line)
    {
        if (line.Signatures.Count == 0)
        {
            throw Fail(OuinetVerificationError.MissingBlockSignature, $"Block {index} ended without its ouisig.");
        }
        var buffer = Buffer;
        var length = _filled;
        var signature = line.Signatures[0];
        var chain = _chain!;
        var (verified, chained) = DigestAlongside.Run(_digest, buffer, length,
            () => (chain.TryVerifyNext(_key, buffer.AsSpan(0, length), signature, out var c), c));
        if (!verified)
        {
            throw Fail(OuinetVerificationError.BlockSignature, $"Block {index} (offset {chained.Offset}, {length} bytes) does not verify.");
        }
        if (line.PreviousHashes.Count > 0)
        {
            if (line.Signatures.Count != 1 || line.PreviousHashes.Count != 1)
            {
                throw Fail(OuinetVerificationError.ChunkFormat, "An ouihash must come with exactly one ouisig on its line.", index);
            }
            // chained-hash(-1) is empty; the sigs file's NUL placeholder is tolerated for it.
            var expected = chained.PreviousChainedHash.IsEmpty ? NoChainedHash : chained.PreviousChainedHash.Span;
            if (!CryptographicOperations.FixedTimeEquals(line.PreviousHashes[0], expected))
            {
                throw Fail(OuinetVerificationError.Chain, $"The ouihash next to ouisig({index}) is not chained-hash({index - 1}).", index);
            }
        }
        if (line.Signatures.Count > 1)
        {
            throw Fail(OuinetVerificationError.SignatureCount, $"{line.Signatures.Count} ouisig on the line after block {index}.", index);
        }
        BlockCount++;
        _handedOut = true;
        return SignedBlock.From(chained, signature, length);
    }

    private OuinetVerificationException Fail(OuinetVerificationError error, string message, long? index = null) =>
        new(error, message, index ?? NextIndex);
}
