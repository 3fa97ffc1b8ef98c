using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>The last steps for a whole entry, in the reference order: Sig1 over head and trailer, data size, digest.</summary>
internal static class EntryCompletion
{
    /// <summary>Checks the complete entry; returns its Sig1. Fails with <c>E_MISSING_SIG1</c>, <c>E_FULL_SIG</c> (and the
    /// other signature codes), <c>E_DATA_SIZE</c> or <c>E_DIGEST</c>.</summary>
    public static HttpSignature Verify(
        HttpResponseHead head,
        HttpFields? trailers,
        int signedStatus,
        InjectorPublicKey trustedKey,
        long bodyLength,
        DigestHeader bodyDigest)
    {
        var merged = head.Fields;
        if (trailers is { Count: > 0 })
        {
            merged = head.Fields.Clone();
            foreach (var field in trailers)
            {
                merged.Add(field.Name, field.Value);
            }
        }
        var sig1Text = SignatureCheck.Single(merged, OuinetHeaders.Sig1, OuinetVerificationError.SignatureFormat)
            ?? throw new OuinetVerificationException(OuinetVerificationError.MissingSig1, "No X-Ouinet-Sig1 in the head or the trailer: the entry is incomplete.");
        var sig1 = SignatureCheck.Parse(OuinetHeaders.Sig1, sig1Text);
        SignatureCheck.Verify(sig1, OuinetHeaders.Sig1, trustedKey, signedStatus, merged, HeadSigner.RequiredFullCoverage, isFull: true);

        var dataSizeText = SignatureCheck.Single(merged, OuinetHeaders.DataSize, OuinetVerificationError.DataSize)
            ?? throw new OuinetVerificationException(OuinetVerificationError.MissingSig1, "No X-Ouinet-Data-Size.");
        if (!DataSizeHeader.TryParse(dataSizeText, out var dataSize))
        {
            throw new OuinetVerificationException(OuinetVerificationError.DataSize, $"X-Ouinet-Data-Size \"{dataSizeText}\" is not a length.");
        }
        if (dataSize != bodyLength)
        {
            throw new OuinetVerificationException(OuinetVerificationError.DataSize, $"The body has {bodyLength} bytes, X-Ouinet-Data-Size says {dataSize}.");
        }
        CheckDigest(merged, bodyDigest);
        return sig1;
    }

    /// <summary>The body's SHA-256 must be the <c>Digest</c>'s.</summary>
    public static void CheckDigest(HttpFields fields, DigestHeader bodyDigest)
    {
        var text = fields.GetCombined(OuinetHeaders.Digest);
        if (!DigestHeader.TryParse(text, out var digest, out var error))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Digest, $"Digest \"{text}\" is unusable: {error}.");
        }
        if (!digest.Equals(bodyDigest))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Digest, $"The body's digest is {bodyDigest}, Digest says {digest}.");
        }
    }
}
