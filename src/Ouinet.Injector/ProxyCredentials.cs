using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Ouinet.Injector;

/// <summary>
/// The injector's <c>credentials = user:password</c>, checked against <c>Proxy-Authorization: Basic …</c> in
/// constant time (both sides hashed first, so not even the length leaks).
/// </summary>
public sealed class ProxyCredentials
{
    private readonly byte[] _expectedHash;

    private ProxyCredentials(string userAndPassword) =>
        _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(userAndPassword));

    /// <summary>Accepts <c>user:password</c> (a colon required; the user may not hold one, as in Basic).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ProxyCredentials? credentials)
    {
        credentials = null;
        if (string.IsNullOrEmpty(text) || !text.Contains(':', StringComparison.Ordinal) || text.Any(char.IsControl))
        {
            return false;
        }
        credentials = new ProxyCredentials(text);
        return true;
    }

    /// <summary>Whether <paramref name="proxyAuthorization"/> (the field's value, may be null) carries these credentials.</summary>
    public bool Accepts(string? proxyAuthorization)
    {
        var value = proxyAuthorization.AsSpan().Trim();
        if (value.Length < 6 || !value[..6].Equals("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var encoded = value[6..].Trim();
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written))
        {
            return false;
        }
        var actual = SHA256.HashData(buffer.AsSpan(0, written));
        return CryptographicOperations.FixedTimeEquals(actual, _expectedHash);
    }
}
