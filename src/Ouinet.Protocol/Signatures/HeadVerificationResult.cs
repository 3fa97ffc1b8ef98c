namespace Ouinet.Protocol.Signatures;

/// <summary>The outcome of checking one hs2019 signature against a head with a trusted key.</summary>
public enum HeadVerificationResult
{
    /// <summary>The signature is the trusted key's and matches the head.</summary>
    Valid = 0,

    /// <summary>The keyId does not name the trusted key.</summary>
    UntrustedKeyId,

    /// <summary>The algorithm is not <c>hs2019</c>.</summary>
    UnsupportedAlgorithm,

    /// <summary>
    /// A name in <c>headers=</c> is not in the head (or is a pseudo-header Ouinet does not use). The signer
    /// vouched for a field we cannot see, so nothing can be checked; Ouinet C++ also fails here.
    /// </summary>
    MissingCoveredHeader,

    /// <summary>A 206 response whose <c>X-Ouinet-HTTP-Status</c> is not a status code.</summary>
    MalformedOriginalStatus,

    /// <summary>The Ed25519 signature does not match the signing string.</summary>
    BadSignature,
}

/// <summary>Maps results to the verifier's error codes.</summary>
public static class HeadVerificationResultExtensions
{
    /// <summary>
    /// The <see cref="OuinetVerificationError"/> for <paramref name="result"/>; a bad signature is
    /// <see cref="OuinetVerificationError.FullSignature"/> for <c>X-Ouinet-Sig1</c> and
    /// <see cref="OuinetVerificationError.HeadSignature"/> otherwise.
    /// </summary>
    public static OuinetVerificationError ToVerificationError(this HeadVerificationResult result, bool isFullSignature) => result switch
    {
        HeadVerificationResult.Valid => OuinetVerificationError.None,
        HeadVerificationResult.UntrustedKeyId => OuinetVerificationError.KeyId,
        HeadVerificationResult.UnsupportedAlgorithm => OuinetVerificationError.Algorithm,
        HeadVerificationResult.MissingCoveredHeader => OuinetVerificationError.Coverage,
        HeadVerificationResult.MalformedOriginalStatus => OuinetVerificationError.Range,
        _ => isFullSignature ? OuinetVerificationError.FullSignature : OuinetVerificationError.HeadSignature,
    };
}
