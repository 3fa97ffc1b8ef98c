using System.Globalization;
using System.Text;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Blocks;

/// <summary>
/// The spec's <c>block-signature(i)</c>: Ed25519 over
/// <c>injection-id ‖ 0x00 ‖ ascii-decimal(offset) ‖ 0x00 ‖ chained-hash(i)</c>, where offset is <c>i × block-size</c>.
/// </summary>
public static class BlockSignature
{
    /// <summary>Size of a block signature in bytes.</summary>
    public const int Size = InjectorPrivateKey.SignatureSize;

    /// <summary>The exact bytes that are signed for the block at <paramref name="offset"/>.</summary>
    public static byte[] Message(string injectionId, long offset, ReadOnlySpan<byte> chainedHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (chainedHash.Length != BlockHash.Size)
        {
            throw new ArgumentException($"A chained hash is {BlockHash.Size} bytes.", nameof(chainedHash));
        }
        var id = Encoding.ASCII.GetBytes(injectionId);
        var decimalOffset = Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture));
        var message = new byte[id.Length + 1 + decimalOffset.Length + 1 + chainedHash.Length];
        var span = message.AsSpan();
        id.CopyTo(span);
        span = span[(id.Length + 1)..];
        decimalOffset.CopyTo(span);
        span = span[(decimalOffset.Length + 1)..];
        chainedHash.CopyTo(span);
        return message;
    }

    /// <summary>Signs the block at <paramref name="offset"/> whose chained hash is <paramref name="chainedHash"/>.</summary>
    public static byte[] Sign(InjectorPrivateKey key, string injectionId, long offset, ReadOnlySpan<byte> chainedHash) =>
        key.Sign(Message(injectionId, offset, chainedHash));

    /// <summary>Checks a block signature.</summary>
    public static bool Verify(InjectorPublicKey key, string injectionId, long offset, ReadOnlySpan<byte> chainedHash, ReadOnlySpan<byte> signature) =>
        key.Verify(Message(injectionId, offset, chainedHash), signature);
}
