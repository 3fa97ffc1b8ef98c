using Ouinet.Http;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>Checks one <c>X-Ouinet-Sig&lt;N&gt;</c> the way the reference verifier does, failing with its codes.</summary>
internal static class SignatureCheck
{
    /// <summary>The value of <paramref name="name"/>, null when absent; a repeated field fails with <paramref name="error"/>.</summary>
    public static string? Single(HttpFields fields, string name, OuinetVerificationError error)
    {
        string? found = null;
        foreach (var field in fields)
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null)
                {
                    throw new OuinetVerificationException(error, $"{name} appears more than once.");
                }
                found = field.Value;
            }
        }
        return found;
    }

    public static HttpSignature Parse(string fieldName, string value) =>
        HttpSignature.TryParse(value, out var signature, out var error)
            ? signature
            : throw new OuinetVerificationException(OuinetVerificationError.SignatureFormat, $"{fieldName} is malformed: {error}.");

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="fields"/> with <paramref name="status"/> as
    /// <c>(response-status)</c>, in the reference order: keyId, algorithm, coverage (the names
    /// <paramref name="required"/> must be listed, and every listed field present), then the signature itself.
    /// A bad signature is <c>E_FULL_SIG</c> for Sig1 (<paramref name="isFull"/>), <c>E_HEAD_SIG</c> otherwise.
    /// </summary>
    public static void Verify(
        HttpSignature signature,
        string fieldName,
        InjectorPublicKey trustedKey,
        int status,
        HttpFields fields,
        IReadOnlyList<string> required,
        bool isFull)
    {
        var result = HeadSigner.Verify(signature, trustedKey, status, fields);
        if (result is HeadVerificationResult.UntrustedKeyId or HeadVerificationResult.UnsupportedAlgorithm)
        {
            throw Failure(result, fieldName, signature, isFull);
        }
        foreach (var name in required)
        {
            if (!signature.Covers(name))
            {
                throw new OuinetVerificationException(OuinetVerificationError.Coverage, $"{fieldName} does not cover {name}.");
            }
        }
        if (result != HeadVerificationResult.Valid)
        {
            throw Failure(result, fieldName, signature, isFull);
        }
    }

    private static OuinetVerificationException Failure(HeadVerificationResult result, string fieldName, HttpSignature signature, bool isFull) =>
        new(result.ToVerificationError(isFull), result switch
        {
            HeadVerificationResult.UntrustedKeyId => $"{fieldName} keyId {signature.KeyId} is not the trusted injector key.",
            HeadVerificationResult.UnsupportedAlgorithm => $"{fieldName} algorithm \"{signature.Algorithm}\" is not {HttpSignature.Hs2019}.",
            HeadVerificationResult.MissingCoveredHeader => $"{fieldName} covers a field the response does not have (or an unknown pseudo-header).",
            _ => $"{fieldName} does not verify.",
        });
}
