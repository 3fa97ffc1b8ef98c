namespace Ouinet.Protocol.Streams;

/// <summary>
/// Body bytes that passed verification. <see cref="Data"/> is valid only until the next read from the reader.
/// </summary>
/// <param name="Offset">Where <see cref="Data"/> starts in the entry's body.</param>
/// <param name="Data">The bytes: one whole block for a signature stream (empty only for an empty body's block, C1).</param>
/// <param name="Block">The block's signature and hashes; null for a complete-signature-only response's data.</param>
public readonly record struct VerifiedBlock(long Offset, ReadOnlyMemory<byte> Data, SignedBlock? Block);
