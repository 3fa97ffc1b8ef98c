using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Blocks;

/// <summary>
/// Walks a signature stream block by block, carrying <c>block-signature(i-1)</c> and <c>chained-hash(i-1)</c>
/// forward. The signer calls <see cref="SignNext"/>; the verifier <see cref="TryVerifyNext"/>; both may instead
/// <see cref="Compute"/> and then <see cref="Advance"/>. A range that starts after block 0 begins with
/// <see cref="Resume"/> from the previous block's signature and chained hash (<c>ouipsig</c>, <c>ouihash</c>).
/// </summary>
public sealed class ChainHasher
{
    private byte[] _previousSignature = [];
    private byte[] _previousChainedHash = [];

    /// <summary>Starts at block 0 of the entry <paramref name="injectionId"/>, cut in blocks of <paramref name="blockSize"/> bytes.</summary>
    public ChainHasher(string injectionId, int blockSize)
    {
        if (!Headers.InjectionHeader.IsValidId(injectionId))
        {
            throw new ArgumentException("Not a valid injection id.", nameof(injectionId));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        InjectionId = injectionId;
        BlockSize = blockSize;
    }

    /// <summary>The entry's injection id, part of every signed message.</summary>
    public string InjectionId { get; }

    /// <summary>The spec's <c>block-size</c>.</summary>
    public int BlockSize { get; }

    /// <summary>The number of the next block.</summary>
    public long BlockIndex { get; private set; }

    /// <summary>The offset of the next block.</summary>
    public long Offset => BlockIndex * BlockSize;

    /// <summary><c>block-signature(i-1)</c> for the next block <c>i</c>; empty before block 0.</summary>
    public ReadOnlySpan<byte> PreviousSignature => _previousSignature;

    /// <summary><c>chained-hash(i-1)</c> for the next block <c>i</c>; empty before block 0.</summary>
    public ReadOnlySpan<byte> PreviousChainedHash => _previousChainedHash;

    /// <summary>
    /// Continues a chain at block <paramref name="blockIndex"/> (&gt; 0) from <c>block-signature(i-1)</c> and
    /// <c>chained-hash(i-1)</c>. Whether those are genuine is checked by verifying the previous signature over the
    /// previous chained hash, see <see cref="VerifiesPrevious"/>.
    /// </summary>
    public static ChainHasher Resume(string injectionId, int blockSize, long blockIndex, ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> previousChainedHash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockIndex, 1);
        if (previousSignature.Length != BlockSignature.Size || previousChainedHash.Length != BlockHash.Size)
        {
            throw new ArgumentException("A block signature is 64 bytes and a chained hash 64 bytes.");
        }
        return new ChainHasher(injectionId, blockSize)
        {
            BlockIndex = blockIndex,
            _previousSignature = previousSignature.ToArray(),
            _previousChainedHash = previousChainedHash.ToArray(),
        };
    }

    /// <summary>
    /// Whether <see cref="PreviousSignature"/> is <paramref name="key"/>'s signature of block <c>i-1</c> over
    /// <see cref="PreviousChainedHash"/>: what makes <c>ouipsig</c>/<c>ouihash</c> trustworthy. True at block 0.
    /// </summary>
    public bool VerifiesPrevious(InjectorPublicKey key) =>
        BlockIndex == 0 || BlockSignature.Verify(key, InjectionId, (BlockIndex - 1) * BlockSize, _previousChainedHash, _previousSignature);

    /// <summary>Hashes and chains the next block (at most <see cref="BlockSize"/> bytes; an empty body is one empty block).</summary>
    public ChainedBlock Compute(ReadOnlySpan<byte> block)
    {
        if (block.Length > BlockSize)
        {
            throw new ArgumentException($"A block is at most {BlockSize} bytes, not {block.Length}.", nameof(block));
        }
        return ComputeFromHash(BlockHash.Compute(block));
    }

    /// <summary>Chains the next block given its <c>hash(i)</c> (as a static cache's <c>sigs</c> file holds it).</summary>
    public ChainedBlock ComputeFromHash(ReadOnlySpan<byte> blockHash)
    {
        var chained = ChainedHash.Compute(_previousSignature, _previousChainedHash, blockHash);
        return new ChainedBlock(
            BlockIndex,
            Offset,
            blockHash.ToArray(),
            _previousChainedHash,
            chained,
            BlockSignature.Message(InjectionId, Offset, chained));
    }

    /// <summary>Moves past <paramref name="block"/> (the one just computed) whose signature is <paramref name="signature"/>.</summary>
    public void Advance(ChainedBlock block, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Index != BlockIndex)
        {
            throw new InvalidOperationException($"Block {block.Index} is not the next block ({BlockIndex}).");
        }
        if (signature.Length != BlockSignature.Size)
        {
            throw new ArgumentException($"A block signature is {BlockSignature.Size} bytes.", nameof(signature));
        }
        _previousSignature = signature.ToArray();
        _previousChainedHash = block.ChainedHash.ToArray();
        BlockIndex++;
    }

    /// <summary>Signs the next block and moves past it; returns the block and <c>block-signature(i)</c>.</summary>
    public (ChainedBlock Block, byte[] Signature) SignNext(InjectorPrivateKey key, ReadOnlySpan<byte> block)
    {
        ArgumentNullException.ThrowIfNull(key);
        var chained = Compute(block);
        var signature = key.Sign(chained.SignedMessage.Span);
        Advance(chained, signature);
        return (chained, signature);
    }

    /// <summary>Checks the next block's signature; moves past the block only when it verifies.</summary>
    public bool TryVerifyNext(InjectorPublicKey key, ReadOnlySpan<byte> block, ReadOnlySpan<byte> signature, out ChainedBlock chained)
    {
        ArgumentNullException.ThrowIfNull(key);
        chained = Compute(block);
        if (!key.Verify(chained.SignedMessage.Span, signature))
        {
            return false;
        }
        Advance(chained, signature);
        return true;
    }
}
