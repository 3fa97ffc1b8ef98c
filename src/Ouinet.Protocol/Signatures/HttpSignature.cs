using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Signatures;

/// <summary>
/// The value of an <c>X-Ouinet-Sig&lt;N&gt;</c> field: an hs2019 signature in the form of draft-cavage-12, as Ouinet
/// uses it, e.g. <c>keyId="ed25519=…",algorithm="hs2019",created=1584748800,headers="(response-status) (created) …",signature="…"</c>.
/// </summary>
public sealed class HttpSignature : IEquatable<HttpSignature>
{
    /// <summary>The only algorithm Ouinet uses: Ed25519 over the signing string.</summary>
    public const string Hs2019 = "hs2019";

    /// <summary>Pseudo-header for the status code.</summary>
    public const string ResponseStatusPseudoHeader = "(response-status)";

    /// <summary>Pseudo-header for <see cref="Created"/>.</summary>
    public const string CreatedPseudoHeader = "(created)";

    private readonly byte[] _signature;
    private readonly string[] _headers;

    /// <summary>Creates a signature value; throws on a malformed part (a bug in the caller).</summary>
    public HttpSignature(string keyId, string algorithm, long created, IEnumerable<string> headers, ReadOnlySpan<byte> signature)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        ArgumentOutOfRangeException.ThrowIfNegative(created);
        if (!IsQuotable(keyId) || !IsQuotable(algorithm))
        {
            throw new ArgumentException("keyId and algorithm must not hold quotes, commas, backslashes or controls.");
        }
        var names = headers.ToArray();
        if (!IsValidHeaderList(names))
        {
            throw new ArgumentException("headers must be distinct lower-case field names or (pseudo-headers), at least one.", nameof(headers));
        }
        if (signature.Length != InjectorPrivateKey.SignatureSize)
        {
            throw new ArgumentException($"An Ed25519 signature is {InjectorPrivateKey.SignatureSize} bytes.", nameof(signature));
        }
        KeyId = keyId;
        Algorithm = algorithm;
        Created = created;
        _headers = names;
        _signature = signature.ToArray();
    }

    /// <summary>Who signed: <c>ed25519=&lt;base64 public key&gt;</c>.</summary>
    public string KeyId { get; }

    /// <summary>The algorithm; only <see cref="Hs2019"/> is verified.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>(created)</c> time in seconds since 1970-01-01 UTC.</summary>
    public long Created { get; }

    /// <summary>The covered names, lower case, in signing-string order.</summary>
    public IReadOnlyList<string> Headers => _headers;

    /// <summary>The 64-byte Ed25519 signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Whether <paramref name="name"/> (any case) is in <see cref="Headers"/>.</summary>
    public bool Covers(string name)
    {
        foreach (var h in _headers)
        {
            if (string.Equals(h, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Parses a signature value. Whitespace around commas and <c>=</c> is allowed; values may be quoted or not;
    /// unknown parameters are ignored (draft-cavage; Ouinet C++ refuses them); a missing <c>headers</c> means
    /// <c>(created)</c>; header names are lower-cased. Commas inside quoted values are refused, as in Ouinet C++:
    /// no valid value holds one, and accepting more than deployed clients would split the network's view.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out HttpSignature? signature, out HeaderParseError error)
    {
        signature = null;
        error = HeaderParameters.TryParse(value, StringComparison.Ordinal, out var parameters);
        if (error != HeaderParseError.None)
        {
            return false;
        }
        var keyId = HeaderParameters.Find(parameters, "keyId");
        var algorithm = HeaderParameters.Find(parameters, "algorithm");
        var createdText = HeaderParameters.Find(parameters, "created");
        var headersText = HeaderParameters.Find(parameters, "headers") ?? CreatedPseudoHeader;
        var signatureText = HeaderParameters.Find(parameters, "signature");
        long created = 0;
        string[] headers = [];
        byte[]? bytes = null;
        error = string.IsNullOrEmpty(keyId) ? HeaderParseError.MissingKeyId
            : string.IsNullOrEmpty(algorithm) ? HeaderParseError.MissingAlgorithm
            // An unquoted value may hold what the constructor refuses (a backslash, a control); no real one does.
            : !IsQuotable(keyId!) || !IsQuotable(algorithm!) ? HeaderParseError.InvalidKeyIdOrAlgorithm
            : createdText is null ? HeaderParseError.MissingCreated
            : !HeaderParameters.TryParseNonNegative(createdText, out created) ? HeaderParseError.InvalidCreated
            : !TryParseHeaderList(headersText, out headers) ? HeaderParseError.InvalidHeaderList
            : string.IsNullOrEmpty(signatureText) ? HeaderParseError.MissingSignature
            : (bytes = StrictBase64.Decode(signatureText, InjectorPrivateKey.SignatureSize)) is null ? HeaderParseError.InvalidSignature
            : HeaderParseError.None;
        if (error != HeaderParseError.None)
        {
            return false;
        }
        signature = new HttpSignature(keyId!, algorithm!, created, headers, bytes);
        return true;
    }

    /// <summary>Parses as <see cref="TryParse"/>; throws <see cref="FormatException"/> naming the error.</summary>
    public static HttpSignature Parse(string value) =>
        TryParse(value, out var signature, out var error) ? signature : throw new FormatException($"Malformed HTTP signature: {error}.");

    /// <summary>The C++ form: <c>keyId="…",algorithm="…",created=N,headers="…",signature="…"</c>, no whitespace after commas.</summary>
    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"keyId=\"{KeyId}\",algorithm=\"{Algorithm}\",created={Created},headers=\"{string.Join(' ', _headers)}\",signature=\"{Convert.ToBase64String(_signature)}\"");

    /// <inheritdoc/>
    public override string ToString() => Format();

    /// <inheritdoc/>
    public bool Equals(HttpSignature? other) =>
        other is not null
        && KeyId == other.KeyId
        && Algorithm == other.Algorithm
        && Created == other.Created
        && _headers.AsSpan().SequenceEqual(other._headers)
        && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HttpSignature);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(KeyId, Created, BitConverter.ToInt32(_signature, 0));

    private static bool TryParseHeaderList(string text, out string[] headers)
    {
        headers = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = headers[i].ToLowerInvariant();
        }
        return IsValidHeaderList(headers);
    }

    private static bool IsValidHeaderList(string[] names)
    {
        if (names.Length == 0)
        {
            return false;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var bare = name.Length > 2 && name[0] == '(' && name[^1] == ')' ? name[1..^1] : name;
            if (!Http.HttpSyntax.IsToken(bare) || bare.Any(char.IsAsciiLetterUpper) || !seen.Add(name))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsQuotable(string s) => !s.Any(c => c is '"' or ',' or '\\' || char.IsControl(c));
}
