using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Headers;

/// <summary>
/// <c>X-Ouinet-BSigs: keyId="ed25519=&lt;base64&gt;",algorithm="hs2019",size=&lt;block size&gt;</c>: how the body's
/// blocks are signed. Its presence marks a signature stream.
/// </summary>
public sealed record BlockSignaturesHeader
{
    /// <summary>The block size Ouinet uses (64 KiB).</summary>
    public const int DefaultBlockSize = 65536;

    /// <summary>The largest block size Ouinet C++ accepts (1 MiB); a verifier buffers a block, so this bounds memory.</summary>
    public const int MaxBlockSize = 1024 * 1024;

    /// <summary>Creates the header; throws on a block size outside 1..<see cref="MaxBlockSize"/> (a bug in the caller).</summary>
    public BlockSignaturesHeader(string keyId, string algorithm, int blockSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        KeyId = keyId;
        Algorithm = algorithm;
        BlockSize = blockSize;
    }

    /// <summary>The keyId, <c>ed25519=&lt;base64&gt;</c> for every key we know.</summary>
    public string KeyId { get; }

    /// <summary>The signature algorithm; <c>hs2019</c> is the only one Ouinet uses.</summary>
    public string Algorithm { get; }

    /// <summary>The spec's <c>block-size</c> in bytes.</summary>
    public int BlockSize { get; }

    /// <summary>The header for blocks of <paramref name="blockSize"/> bytes signed by <paramref name="key"/>.</summary>
    public static BlockSignaturesHeader For(InjectorPublicKey key, int blockSize = DefaultBlockSize) =>
        new(key.KeyId, Signatures.HttpSignature.Hs2019, blockSize);

    /// <summary>
    /// Parses the value. <c>keyId</c>, <c>algorithm</c> and <c>size</c> are required; values may be quoted or not;
    /// unknown parameters are ignored. The keyId and algorithm are not judged here (see <see cref="TryGetPublicKey"/>).
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out BlockSignaturesHeader? header, out HeaderParseError error)
    {
        header = null;
        error = HeaderParameters.TryParse(value, StringComparison.Ordinal, out var parameters);
        if (error != HeaderParseError.None)
        {
            return false;
        }
        var keyId = HeaderParameters.Find(parameters, "keyId");
        var algorithm = HeaderParameters.Find(parameters, "algorithm");
        var size = HeaderParameters.Find(parameters, "size");
        long blockSize = 0;
        error = string.IsNullOrEmpty(keyId) ? HeaderParseError.MissingKeyId
            : string.IsNullOrEmpty(algorithm) ? HeaderParseError.MissingAlgorithm
            : size is null ? HeaderParseError.MissingSize
            : !HeaderParameters.TryParseNonNegative(size, out blockSize) ? HeaderParseError.InvalidSize
            : blockSize is < 1 or > MaxBlockSize ? HeaderParseError.BlockSizeOutOfRange
            : HeaderParseError.None;
        if (error != HeaderParseError.None)
        {
            return false;
        }
        header = new BlockSignaturesHeader(keyId!, algorithm!, (int)blockSize);
        return true;
    }

    /// <summary>The key named by <see cref="KeyId"/>, when it is an Ed25519 keyId.</summary>
    public bool TryGetPublicKey([NotNullWhen(true)] out InjectorPublicKey? key) => InjectorPublicKey.TryParseKeyId(KeyId, out key, out _);

    /// <summary><c>keyId="...",algorithm="...",size=N</c>, no whitespace.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"keyId=\"{KeyId}\",algorithm=\"{Algorithm}\",size={BlockSize}");

    /// <inheritdoc/>
    public override string ToString() => Format();
}
