using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace Ouinet.Protocol.Keys;

/// <summary>
/// An injector's Ed25519 public key (32 bytes). Ouinet writes it three ways: lower-case hex in key files and
/// options, lower-case unpadded base32 in swarm names, padded base64 in signature keyIds.
/// </summary>
public sealed class InjectorPublicKey : IEquatable<InjectorPublicKey>
{
    /// <summary>Size of the key in bytes.</summary>
    public const int Size = 32;

    /// <summary>What every Ed25519 keyId starts with.</summary>
    public const string KeyIdPrefix = "ed25519=";

    private readonly byte[] _bytes;
    private readonly PublicKey _key;

    private InjectorPublicKey(byte[] bytes, PublicKey key)
    {
        _bytes = bytes;
        _key = key;
        KeyId = KeyIdPrefix + Convert.ToBase64String(bytes);
    }

    /// <summary>The 32 key bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary><c>ed25519=&lt;padded base64&gt;</c>, as in <c>X-Ouinet-Sig*</c> and <c>X-Ouinet-BSigs</c>.</summary>
    public string KeyId { get; }

    /// <summary>Wraps 32 key bytes; false when they are not a usable Ed25519 public key.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out InjectorPublicKey? key)
    {
        key = null;
        if (bytes.Length != Size
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, bytes, KeyBlobFormat.RawPublicKey, out var imported)
            || imported is null)
        {
            return false;
        }
        key = new InjectorPublicKey(bytes.ToArray(), imported);
        return true;
    }

    /// <summary>Wraps 32 key bytes; throws on anything else (a bug in the caller).</summary>
    public static InjectorPublicKey FromBytes(ReadOnlySpan<byte> bytes) =>
        TryFromBytes(bytes, out var key) ? key : throw new ArgumentException($"Not a {Size}-byte Ed25519 public key.", nameof(bytes));

    internal static InjectorPublicKey FromNSec(PublicKey key) =>
        new(key.Export(KeyBlobFormat.RawPublicKey), key);

    /// <summary>
    /// Parses a key as the client option <c>cache-http-public-key</c> takes it: 64 hex characters, else
    /// 52 base32 characters (either case). No surrounding whitespace.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out InjectorPublicKey? key, out KeyParseError error)
    {
        key = null;
        if (string.IsNullOrEmpty(text))
        {
            error = KeyParseError.Empty;
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        if (text.Length == Size * 2)
        {
            if (Convert.FromHexString(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
            {
                error = KeyParseError.InvalidHex;
                return false;
            }
        }
        else if (text.Length == Base32.EncodedLength(Size))
        {
            if (!Base32.IsBase32(text))
            {
                error = KeyParseError.InvalidBase32;
                return false;
            }
            if (!Base32.TryDecode(text, bytes))
            {
                error = KeyParseError.NonCanonicalBase32;
                return false;
            }
        }
        else
        {
            error = KeyParseError.WrongLength;
            return false;
        }
        if (!TryFromBytes(bytes, out key))
        {
            // NSec takes any 32 bytes for Ed25519; kept so that a stricter import cannot go unnoticed.
            error = KeyParseError.WrongLength;
            return false;
        }
        error = KeyParseError.None;
        return true;
    }

    /// <summary>Parses as <see cref="TryParse(string?, out InjectorPublicKey?, out KeyParseError)"/>; throws <see cref="FormatException"/> saying why.</summary>
    public static InjectorPublicKey Parse(string text) =>
        TryParse(text, out var key, out var error) ? key : throw new FormatException(Describe(error, text));

    /// <summary>Parses <c>ed25519=&lt;padded base64 of 32 bytes&gt;</c> (canonical spelling only).</summary>
    public static bool TryParseKeyId(string? keyId, [NotNullWhen(true)] out InjectorPublicKey? key, out KeyParseError error)
    {
        key = null;
        if (string.IsNullOrEmpty(keyId))
        {
            error = KeyParseError.Empty;
            return false;
        }
        if (!keyId.StartsWith(KeyIdPrefix, StringComparison.Ordinal))
        {
            error = KeyParseError.UnknownKeyType;
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        if (!StrictBase64.TryDecode(keyId.AsSpan(KeyIdPrefix.Length), bytes) || !TryFromBytes(bytes, out key))
        {
            error = KeyParseError.InvalidBase64;
            return false;
        }
        error = KeyParseError.None;
        return true;
    }

    /// <summary>A sentence for logs and configuration errors.</summary>
    public static string Describe(KeyParseError error, string? text) => error switch
    {
        KeyParseError.None => "The key is valid.",
        KeyParseError.Empty => "The Ed25519 public key is empty.",
        KeyParseError.WrongLength => $"The Ed25519 public key must be 64 hex or 52 base32 characters, not {text?.Length ?? 0}.",
        KeyParseError.InvalidHex => "The Ed25519 public key has 64 characters but is not hexadecimal.",
        KeyParseError.InvalidBase32 => "The Ed25519 public key has 52 characters but is not base32 (a-z, 2-7).",
        KeyParseError.NonCanonicalBase32 => "The Ed25519 public key's last base32 character has non-zero unused bits.",
        KeyParseError.UnknownKeyType => $"The keyId does not start with \"{KeyIdPrefix}\".",
        KeyParseError.InvalidBase64 => "The keyId's key is not the padded base64 of 32 bytes.",
        _ => error.ToString(),
    };

    /// <summary>Checks an Ed25519 signature made by this key.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == InjectorPrivateKey.SignatureSize && SignatureAlgorithm.Ed25519.Verify(_key, data, signature);

    /// <summary>Lower-case hex (64 characters), as in the <c>ed25519-public-key</c> file.</summary>
    public string ToHex() => Convert.ToHexStringLower(_bytes);

    /// <summary>Lower-case unpadded base32 (52 characters), as in swarm names.</summary>
    public string ToBase32() => Base32.Encode(_bytes);

    /// <summary>Padded standard base64 (44 characters), as in keyIds.</summary>
    public string ToBase64() => Convert.ToBase64String(_bytes);

    /// <inheritdoc/>
    public bool Equals(InjectorPublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as InjectorPublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    /// <summary>The keyId form.</summary>
    public override string ToString() => KeyId;

    public static bool operator ==(InjectorPublicKey? left, InjectorPublicKey? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(InjectorPublicKey? left, InjectorPublicKey? right) => !(left == right);
}
