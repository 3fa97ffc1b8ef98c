namespace Ouinet.Protocol.Blocks;

/// <summary>What <see cref="ChainHasher"/> computed for one block, before it is signed or checked.</summary>
/// <param name="Index">The block number <c>i</c>.</param>
/// <param name="Offset">The block's offset in the body, <c>i × block-size</c>.</param>
/// <param name="Hash"><c>hash(i)</c>, SHA-512 of the block.</param>
/// <param name="PreviousChainedHash"><c>chained-hash(i-1)</c>; empty for block 0.</param>
/// <param name="ChainedHash"><c>chained-hash(i)</c>.</param>
/// <param name="SignedMessage">The bytes <c>block-signature(i)</c> is made over.</param>
public sealed record ChainedBlock(
    long Index,
    long Offset,
    ReadOnlyMemory<byte> Hash,
    ReadOnlyMemory<byte> PreviousChainedHash,
    ReadOnlyMemory<byte> ChainedHash,
    ReadOnlyMemory<byte> SignedMessage);
