using Ouinet.Protocol.Blocks;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// One signed data block of a signature stream, without its data: what the signer produced or the verifier checked,
/// and what a <c>data-v3</c> <c>sigs</c> line stores (offset, signature, <c>hash(i)</c>, <c>chained-hash(i-1)</c>).
/// </summary>
/// <param name="Index">The block number <c>i</c> in the whole entry.</param>
/// <param name="Offset">The block's offset in the body, <c>i × block-size</c>.</param>
/// <param name="Size">The block's length: the block size, less for the last block, 0 for an empty body's only block (C1).</param>
/// <param name="Signature"><c>block-signature(i)</c>, 64 bytes.</param>
/// <param name="Hash"><c>hash(i)</c>, SHA-512 of the block.</param>
/// <param name="PreviousChainedHash"><c>chained-hash(i-1)</c>; empty for block 0 (the <c>sigs</c> file stores 64 NUL bytes there).</param>
/// <param name="ChainedHash"><c>chained-hash(i)</c>.</param>
public sealed record SignedBlock(
    long Index,
    long Offset,
    int Size,
    ReadOnlyMemory<byte> Signature,
    ReadOnlyMemory<byte> Hash,
    ReadOnlyMemory<byte> PreviousChainedHash,
    ReadOnlyMemory<byte> ChainedHash)
{
    /// <summary>The record of <paramref name="block"/> (as <see cref="ChainHasher"/> computed it) signed by <paramref name="signature"/>.</summary>
    public static SignedBlock From(ChainedBlock block, ReadOnlyMemory<byte> signature, int size)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new SignedBlock(block.Index, block.Offset, size, signature, block.Hash, block.PreviousChainedHash, block.ChainedHash);
    }
}
