using System.Security.Cryptography;

namespace Ouinet.Protocol.Blocks;

/// <summary>
/// The spec's <c>chained-hash(i) = SHA-512(block-signature(i-1) ‖ chained-hash(i-1) ‖ hash(i))</c>, with
/// <c>block-signature(-1)</c> and <c>chained-hash(-1)</c> empty (the <c>sigs</c> file's 64 NUL bytes are only a
/// storage placeholder). Including the previous signature links each block to everything before it.
/// </summary>
public static class ChainedHash
{
    /// <summary>Computes <c>chained-hash(i)</c>; pass empty spans for block 0.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> previousSignature, ReadOnlySpan<byte> previousChainedHash, ReadOnlySpan<byte> blockHash)
    {
        if (blockHash.Length != BlockHash.Size)
        {
            throw new ArgumentException($"A block hash is {BlockHash.Size} bytes.", nameof(blockHash));
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(previousSignature);
        sha.AppendData(previousChainedHash);
        sha.AppendData(blockHash);
        return sha.GetHashAndReset();
    }
}
