using System.Security.Cryptography;

namespace Ouinet.Protocol.Blocks;

/// <summary>The spec's <c>hash(i)</c>: SHA-512 of one data block.</summary>
public static class BlockHash
{
    /// <summary>Size of a block hash (and of a chained hash) in bytes.</summary>
    public const int Size = SHA512.HashSizeInBytes;

    /// <summary>SHA-512 of <paramref name="block"/>.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> block) => SHA512.HashData(block);
}
