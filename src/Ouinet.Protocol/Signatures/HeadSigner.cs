using System.Globalization;
using Ouinet.Http;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Signatures;

/// <summary>
/// Makes and checks the hs2019 head signatures: <c>X-Ouinet-Sig0</c> over the head, <c>X-Ouinet-Sig1</c> over the
/// head plus the trailer (<c>X-Ouinet-Data-Size</c>, <c>Digest</c>).
/// </summary>
public static class HeadSigner
{
    /// <summary>Names every head signature must cover for a verifier to trust the entry's identity (manifest policy).</summary>
    public static IReadOnlyList<string> RequiredHeadCoverage { get; } =
    [
        HttpSignature.ResponseStatusPseudoHeader, HttpSignature.CreatedPseudoHeader,
        "x-ouinet-version", "x-ouinet-uri", "x-ouinet-injection",
    ];

    /// <summary><see cref="RequiredHeadCoverage"/> plus what ties the signature to the body.</summary>
    public static IReadOnlyList<string> RequiredFullCoverage { get; } =
        [.. RequiredHeadCoverage, "x-ouinet-data-size", "digest"];

    /// <summary>
    /// The names a signature over <paramref name="fields"/> covers, as Ouinet C++ chooses them:
    /// <c>(response-status) (created)</c>, then each field name in order of first appearance, lower case, once,
    /// leaving out framing (<c>Content-Length</c>, <c>Transfer-Encoding</c>, <c>Trailer</c>: they change in transit)
    /// and the <c>X-Ouinet-Sig*</c> fields themselves.
    /// </summary>
    public static IReadOnlyList<string> CoveredNames(HttpFields fields)
    {
        var names = new List<string> { HttpSignature.ResponseStatusPseudoHeader, HttpSignature.CreatedPseudoHeader };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = field.Name.ToLowerInvariant();
            if (!IsUnsigned(name) && seen.Add(name))
            {
                names.Add(name);
            }
        }
        return names;
    }

    /// <summary>Whether a field is never covered: framing, or a signature field.</summary>
    public static bool IsUnsigned(string fieldName) =>
        fieldName.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || fieldName.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || fieldName.Equals("Trailer", StringComparison.OrdinalIgnoreCase)
        || OuinetHeaders.IsSignatureField(fieldName);

    /// <summary>Signs <paramref name="headerNames"/> (default: <see cref="CoveredNames"/>) of <paramref name="fields"/>.</summary>
    public static HttpSignature Sign(InjectorPrivateKey key, int status, long created, HttpFields fields, IReadOnlyList<string>? headerNames = null)
    {
        var names = headerNames ?? CoveredNames(fields);
        var signingString = SigningString.Build(status, created, fields, names);
        var signature = key.Sign(SigningString.ToBytes(signingString));
        return new HttpSignature(key.PublicKey.KeyId, HttpSignature.Hs2019, created, names, signature);
    }

    /// <summary>The header signature (<c>X-Ouinet-Sig0</c>) of a head; <paramref name="created"/> is the injection time.</summary>
    public static HttpSignature SignHead(InjectorPrivateKey key, HttpResponseHead head, long created) =>
        Sign(key, head.StatusCode, created, head.Fields);

    /// <summary>
    /// The full signature (<c>X-Ouinet-Sig1</c>): over the head's fields followed by the trailer's
    /// (<c>X-Ouinet-Data-Size</c>, <c>Digest</c>), so that its list ends <c>x-ouinet-data-size digest</c> (C5c).
    /// </summary>
    public static HttpSignature SignFull(InjectorPrivateKey key, HttpResponseHead head, HttpFields trailer, long created) =>
        Sign(key, head.StatusCode, created, Merge(head.Fields, trailer));

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="fields"/> with <paramref name="status"/> as
    /// <c>(response-status)</c>, in the reference verifier's order: keyId, algorithm, coverage, signature.
    /// Only the listed names are used, so framing and unsigned fields in <paramref name="fields"/> do no harm.
    /// </summary>
    public static HeadVerificationResult Verify(HttpSignature signature, InjectorPublicKey trustedKey, int status, HttpFields fields)
    {
        if (!InjectorPublicKey.TryParseKeyId(signature.KeyId, out var named, out _) || named != trustedKey)
        {
            return HeadVerificationResult.UntrustedKeyId;
        }
        if (!string.Equals(signature.Algorithm, HttpSignature.Hs2019, StringComparison.Ordinal))
        {
            return HeadVerificationResult.UnsupportedAlgorithm;
        }
        if (!SigningString.TryBuild(status, signature.Created, fields, signature.Headers, out var signingString, out _))
        {
            return HeadVerificationResult.MissingCoveredHeader;
        }
        return trustedKey.Verify(SigningString.ToBytes(signingString), signature.Signature)
            ? HeadVerificationResult.Valid
            : HeadVerificationResult.BadSignature;
    }

    /// <summary>
    /// Checks <paramref name="signature"/> over a received head (and its trailer, for <c>X-Ouinet-Sig1</c>), using
    /// <see cref="TryGetSignedStatus"/> as <c>(response-status)</c>.
    /// </summary>
    public static HeadVerificationResult Verify(HttpSignature signature, InjectorPublicKey trustedKey, HttpResponseHead head, HttpFields? trailer = null)
    {
        if (!TryGetSignedStatus(head, out var status))
        {
            return HeadVerificationResult.MalformedOriginalStatus;
        }
        var fields = trailer is null || trailer.Count == 0 ? head.Fields : Merge(head.Fields, trailer);
        return Verify(signature, trustedKey, status, fields);
    }

    /// <summary>
    /// The status the signatures were made over. A <c>206 Partial Content</c> carries the original one in
    /// <c>X-Ouinet-HTTP-Status</c>, which replaces <c>(response-status)</c>; it is honoured only in a 206, so that
    /// a peer cannot relabel a complete response. False when a 206 carries a malformed value (three digits expected).
    /// A 206 without the field keeps 206 (and will fail to verify unless 206 was signed).
    /// </summary>
    public static bool TryGetSignedStatus(HttpResponseHead head, out int status)
    {
        status = head.StatusCode;
        if (head.StatusCode != 206)
        {
            return true;
        }
        var original = head.Fields.Get(OuinetHeaders.HttpStatus);
        if (original is null)
        {
            return true;
        }
        var text = original.AsSpan().Trim(" \t");
        if (text.Length != 3 || text.ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 100)
        {
            return false;
        }
        status = parsed;
        return true;
    }

    private static HttpFields Merge(HttpFields head, HttpFields trailer)
    {
        var merged = head.Clone();
        foreach (var field in trailer)
        {
            merged.Add(field.Name, field.Value);
        }
        return merged;
    }
}
