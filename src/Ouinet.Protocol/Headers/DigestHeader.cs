using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ouinet.Protocol.Headers;

/// <summary><c>Digest: SHA-256=&lt;base64&gt;</c> (RFC 3230): the SHA-256 of the whole body, covered by <c>X-Ouinet-Sig1</c>.</summary>
public sealed class DigestHeader : IEquatable<DigestHeader>
{
    /// <summary>The algorithm name Ouinet writes.</summary>
    public const string Sha256Algorithm = "SHA-256";

    private readonly byte[] _sha256;

    private DigestHeader(byte[] sha256) => _sha256 = sha256;

    /// <summary>The 32-byte SHA-256.</summary>
    public ReadOnlySpan<byte> Sha256 => _sha256;

    /// <summary>The digest of a whole body.</summary>
    public static DigestHeader Compute(ReadOnlySpan<byte> body) => new(SHA256.HashData(body));

    /// <summary>Wraps a SHA-256 computed elsewhere (e.g. incrementally while streaming); throws unless 32 bytes.</summary>
    public static DigestHeader FromSha256(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 is {SHA256.HashSizeInBytes} bytes.", nameof(sha256));
        }
        return new DigestHeader(sha256.ToArray());
    }

    /// <summary>
    /// Finds the <c>SHA-256</c> entry (name in any case) among possibly several (<c>a=b, c=d</c>) and decodes it.
    /// Other algorithms are ignored; a second SHA-256 entry is refused.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out DigestHeader? header, out HeaderParseError error)
    {
        header = null;
        error = HeaderParameters.TryParse(value, StringComparison.OrdinalIgnoreCase, out var parameters);
        if (error != HeaderParseError.None)
        {
            return false;
        }
        var encoded = HeaderParameters.Find(parameters, Sha256Algorithm, StringComparison.OrdinalIgnoreCase);
        if (encoded is null)
        {
            error = HeaderParseError.MissingSha256;
            return false;
        }
        var sha256 = StrictBase64.Decode(encoded, SHA256.HashSizeInBytes);
        if (sha256 is null)
        {
            error = HeaderParseError.InvalidSha256;
            return false;
        }
        header = new DigestHeader(sha256);
        return true;
    }

    /// <summary><c>SHA-256=&lt;padded base64&gt;</c>.</summary>
    public string Format() => $"{Sha256Algorithm}={Convert.ToBase64String(_sha256)}";

    /// <inheritdoc/>
    public bool Equals(DigestHeader? other) => other is not null && CryptographicOperations.FixedTimeEquals(_sha256, other._sha256);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DigestHeader);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_sha256, 0);

    /// <inheritdoc/>
    public override string ToString() => Format();
}
