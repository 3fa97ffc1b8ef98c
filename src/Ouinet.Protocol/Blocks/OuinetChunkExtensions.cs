using Ouinet.Http;

namespace Ouinet.Protocol.Blocks;

/// <summary>Why an Ouinet chunk extension could not be read.</summary>
public enum ChunkExtensionError
{
    /// <summary>Read, or absent.</summary>
    None = 0,

    /// <summary>The extension appears more than once on the line.</summary>
    Duplicate,

    /// <summary>The extension has no value (<c>;ouisig</c>).</summary>
    MissingValue,

    /// <summary>The value is not the canonical padded base64 of 64 bytes.</summary>
    InvalidValue,
}

/// <summary>
/// The chunk extensions of a signature stream, each carrying the base64 of 64 bytes: <c>ouisig</c>
/// (<c>block-signature(i)</c>, on the chunk line after block <c>i</c>), and for ranges <c>ouipsig</c>
/// (<c>block-signature(i-1)</c>) and <c>ouihash</c> (<c>chained-hash(i-1)</c>). Values are plain base64 in
/// <see cref="ChunkExtension.Value"/>; the HTTP writer must quote them (base64 is not a token), as Ouinet C++ requires.
/// </summary>
public static class OuinetChunkExtensions
{
    /// <summary><c>block-signature(i)</c>.</summary>
    public const string BlockSignature = "ouisig";

    /// <summary><c>block-signature(i-1)</c> on a range's first chunk line.</summary>
    public const string PreviousBlockSignature = "ouipsig";

    /// <summary><c>chained-hash(i-1)</c>.</summary>
    public const string PreviousChainedHash = "ouihash";

    /// <summary>Size of every value: a signature or a SHA-512.</summary>
    public const int ValueSize = 64;

    /// <summary>An extension <paramref name="name"/> carrying the base64 of a 64-byte <paramref name="value"/>.</summary>
    public static ChunkExtension Create(string name, ReadOnlySpan<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (value.Length != ValueSize)
        {
            throw new ArgumentException($"Ouinet chunk extensions carry {ValueSize} bytes.", nameof(value));
        }
        return new ChunkExtension(name, Convert.ToBase64String(value));
    }

    /// <summary>Decodes one extension's value: exactly 64 bytes of canonical padded base64.</summary>
    public static ChunkExtensionError TryDecode(ChunkExtension extension, out byte[]? value)
    {
        value = null;
        if (extension.Value is null)
        {
            return ChunkExtensionError.MissingValue;
        }
        value = StrictBase64.Decode(extension.Value, ValueSize);
        return value is null ? ChunkExtensionError.InvalidValue : ChunkExtensionError.None;
    }

    /// <summary>
    /// Reads the extension <paramref name="name"/> from a chunk line's extensions. Returns
    /// <see cref="ChunkExtensionError.None"/> with a null <paramref name="value"/> when it is absent, with the
    /// 64 bytes when present and well-formed, and an error otherwise (twice, no value, bad base64 or length).
    /// </summary>
    public static ChunkExtensionError Read(IReadOnlyList<ChunkExtension> extensions, string name, out byte[]? value)
    {
        value = null;
        ChunkExtension? found = null;
        foreach (var extension in extensions)
        {
            if (string.Equals(extension.Name, name, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    return ChunkExtensionError.Duplicate;
                }
                found = extension;
            }
        }
        return found is { } ext ? TryDecode(ext, out value) : ChunkExtensionError.None;
    }
}
