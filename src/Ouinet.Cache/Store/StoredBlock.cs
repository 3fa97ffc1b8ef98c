using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Store;

/// <summary>
/// One block of a stored entry as <see cref="StoredEntry.ReadBlocksAsync"/> yields it. <see cref="Data"/> lives in a
/// pooled buffer: it is valid only until the enumeration moves on.
/// </summary>
/// <param name="Index">The block number <c>i</c>.</param>
/// <param name="Offset">The block's offset in the body, <c>i × block-size</c>.</param>
/// <param name="Data">The block's bytes (empty for the zero-length block of an empty body).</param>
/// <param name="Sigs">The block's <c>sigs</c> line: <c>block-signature(i)</c>, <c>hash(i)</c>, <c>chained-hash(i-1)</c>.</param>
public readonly record struct StoredBlock(long Index, long Offset, ReadOnlyMemory<byte> Data, SigsLine Sigs)
{
    /// <summary><c>block-signature(i)</c>.</summary>
    public ReadOnlyMemory<byte> Signature => Sigs.Signature;

    /// <summary><c>chained-hash(i-1)</c> as a peer sends it (<c>ouihash</c>); empty for block 0.</summary>
    public ReadOnlyMemory<byte> PreviousChainedHash => Index == 0 ? ReadOnlyMemory<byte>.Empty : Sigs.PreviousChainedHash;
}
