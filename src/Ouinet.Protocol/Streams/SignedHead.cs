using Ouinet.Http;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Verifies a signed response that has no body: an injector's answer to a HEAD request (the signed head alone, as
/// Ouinet C++ signs HEAD responses), or a 204/304. <see cref="SignedResponseReader"/> needs a body to reach Sig1; here
/// only the head's own signature can vouch for it, so it must carry <c>X-Ouinet-Sig0</c> (or a head <c>X-Ouinet-Sig1</c>).
/// </summary>
public static class SignedHead
{
    /// <summary>
    /// Checks <paramref name="head"/> in the reference verifier's order (signed at all, version, head signature, the URI
    /// asked for, <c>X-Ouinet-BSigs</c>) and returns the verified head: the status and the fields a verified signature
    /// covers, the signature fields, <c>X-Ouinet-BSigs</c>; framing and unsigned fields dropped. Throws
    /// <see cref="OuinetVerificationException"/>: <c>E_UNSIGNED</c> for an unsigned head (e.g. an injector error, still
    /// usable unverified), <c>E_HEAD_SIG</c> when only a trailer could have signed it (there is no trailer without a body).
    /// </summary>
    public static HttpResponseHead Verify(HttpResponseHead head, InjectorPublicKey trustedKey, SignedResponseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(trustedKey);
        options = (options ?? new SignedResponseOptions()) with { AllowCompleteOnly = true };
        // Inspect as if chunked: the head is what a GET would get, whose body would be a signature stream.
        var verified = HeadInspector.Inspect(head, BodyFraming.Chunked, trustedKey, options);
        if (!verified.IsHeadVerified)
        {
            throw new OuinetVerificationException(OuinetVerificationError.HeadSignature,
                "A response without a body whose only signature is announced for a trailer: nothing can verify it.");
        }
        return EntryHeads.Build(verified.Received, null, verified.Sig0, verified.HeadSig1,
            keepBlockSignatures: verified.BlockSignatures is not null, keepRangeFields: false);
    }
}
