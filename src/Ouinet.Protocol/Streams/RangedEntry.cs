using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// A whole entry put together from block-aligned 206 ranges of one injection (each verified by a
/// <see cref="SignedResponseReader"/>): the last checks a whole response gets at its end, and the head to store.
/// </summary>
public static class RangedEntry
{
    /// <summary>
    /// Checks the assembled body against <paramref name="rangeHead"/> (a verified 206's <see cref="SignedResponseReader.Head"/>,
    /// whose head Sig1 signs the data size and digest): Sig1 again, <c>X-Ouinet-Data-Size</c> against
    /// <paramref name="bodyLength"/>, <c>Digest</c> against <paramref name="sha256"/>. Returns the head to store: the signed
    /// status, the covered fields, the signatures and <c>X-Ouinet-BSigs</c>, no range fields. Throws
    /// <see cref="OuinetVerificationException"/> when anything does not match.
    /// </summary>
    public static HttpResponseHead CompleteHead(HttpResponseHead rangeHead, InjectorPublicKey trustedKey, long bodyLength, ReadOnlySpan<byte> sha256)
    {
        ArgumentNullException.ThrowIfNull(rangeHead);
        ArgumentNullException.ThrowIfNull(trustedKey);
        if (!HeadSigner.TryGetSignedStatus(rangeHead, out var status))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, "The range head has no signed status.");
        }
        var sig1 = EntryCompletion.Verify(rangeHead, null, status, trustedKey, bodyLength, DigestHeader.FromSha256(sha256));
        var sig0Text = SignatureCheck.Single(rangeHead.Fields, OuinetHeaders.Sig0, OuinetVerificationError.SignatureFormat);
        var sig0 = sig0Text is null ? null : SignatureCheck.Parse(OuinetHeaders.Sig0, sig0Text);
        if (sig0 is not null)
        {
            SignatureCheck.Verify(sig0, OuinetHeaders.Sig0, trustedKey, status, rangeHead.Fields, HeadSigner.RequiredHeadCoverage, isFull: false);
        }
        var whole = new HttpResponseHead(status, ReasonPhrases.For(status), HttpProtocolVersion.Http11, rangeHead.Fields.Clone());
        return EntryHeads.Build(whole, null, sig0, sig1, keepBlockSignatures: true, keepRangeFields: false);
    }
}
