using NSec.Cryptography;

namespace Ouinet.Protocol.Keys;

/// <summary>
/// An injector's Ed25519 signing key, made from a 32-byte seed (the RFC 8032 private key, which Ouinet stores
/// as hex in <c>ed25519-private-key</c>). Signatures are plain Ed25519 over the given bytes.
/// </summary>
public sealed class InjectorPrivateKey : IDisposable
{
    /// <summary>Size of the seed in bytes.</summary>
    public const int SeedSize = 32;

    /// <summary>Size of an Ed25519 signature in bytes.</summary>
    public const int SignatureSize = 64;

    private readonly Key _key;

    private InjectorPrivateKey(Key key)
    {
        _key = key;
        PublicKey = InjectorPublicKey.FromNSec(key.PublicKey);
    }

    /// <summary>The matching public key.</summary>
    public InjectorPublicKey PublicKey { get; }

    /// <summary>A key from a 32-byte seed. Throws on another length (a bug in the caller).</summary>
    public static InjectorPrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedSize} bytes, not {seed.Length}.", nameof(seed));
        }
        // Exportable so that the seed can be written to the key file.
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new InjectorPrivateKey(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters));
    }

    /// <summary>A new random key.</summary>
    public static InjectorPrivateKey Generate()
    {
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new InjectorPrivateKey(Key.Create(SignatureAlgorithm.Ed25519, in parameters));
    }

    /// <summary>The 32-byte seed, for the key file. Handle with care.</summary>
    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    /// <summary>Ed25519 signature (64 bytes) of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
