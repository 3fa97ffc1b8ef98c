using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Verifies a received head in the reference verifier's order, before any body byte is read: signed at all
/// (<c>E_UNSIGNED</c>), <c>X-Ouinet-Version</c>, the head signature (Sig0; without it the head's Sig1, which must cover
/// <c>x-ouinet-bsigs</c>), the URI asked for, <c>X-Ouinet-BSigs</c>, and a 206's <c>Content-Range</c>.
/// </summary>
internal static class HeadInspector
{
    public static VerifiedHead Inspect(HttpResponseHead head, BodyFraming framing, InjectorPublicKey trustedKey, SignedResponseOptions options)
    {
        var fields = head.Fields;
        var sig0Text = SignatureCheck.Single(fields, OuinetHeaders.Sig0, OuinetVerificationError.SignatureFormat);
        var sig1Text = SignatureCheck.Single(fields, OuinetHeaders.Sig1, OuinetVerificationError.SignatureFormat);
        var bsigsText = SignatureCheck.Single(fields, OuinetHeaders.BlockSignatures, OuinetVerificationError.SignatureFormat);
        var chunked = framing == BodyFraming.Chunked;
        if (sig0Text is null && sig1Text is null)
        {
            if (bsigsText is not null)
            {
                throw new OuinetVerificationException(OuinetVerificationError.SignatureFormat,
                    "X-Ouinet-BSigs without X-Ouinet-Sig0 or X-Ouinet-Sig1 in the head: nothing verifies the head before the blocks.");
            }
            if (!chunked || !AnnouncesTrailer(fields, OuinetHeaders.Sig1))
            {
                throw new OuinetVerificationException(OuinetVerificationError.Unsigned,
                    "No X-Ouinet-Sig0 or X-Ouinet-Sig1: an unsigned response (usable, never to be cached).");
            }
        }

        CheckVersion(fields, options.ExpectedVersion);
        if (!HeadSigner.TryGetSignedStatus(head, out var status))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, $"X-Ouinet-HTTP-Status \"{fields.Get(OuinetHeaders.HttpStatus)}\" is not a status code.");
        }
        var partial = head.StatusCode == 206;
        if (partial && !fields.Contains(OuinetHeaders.HttpStatus))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, "A 206 without X-Ouinet-HTTP-Status: the signed status is unknown.");
        }

        HttpSignature? sig0 = null, headSig1 = null;
        if (sig0Text is not null)
        {
            sig0 = SignatureCheck.Parse(OuinetHeaders.Sig0, sig0Text);
            SignatureCheck.Verify(sig0, OuinetHeaders.Sig0, trustedKey, status, fields, HeadSigner.RequiredHeadCoverage, isFull: false);
            if (partial)
            {
                // A 206 never gets a trailer Sig1: the data size its range is checked against must be signed in the head.
                headSig1 = VerifyHeadSig1(sig1Text, trustedKey, status, fields, HeadSigner.RequiredFullCoverage);
            }
        }
        else if (sig1Text is not null)
        {
            // C2: the head's Sig1 is the head signature, and must vouch for X-Ouinet-BSigs when there is one.
            IReadOnlyList<string> required = bsigsText is null
                ? HeadSigner.RequiredFullCoverage
                : [.. HeadSigner.RequiredFullCoverage, OuinetHeaders.BlockSignatures.ToLowerInvariant()];
            headSig1 = VerifyHeadSig1(sig1Text, trustedKey, status, fields, required);
        }
        var identity = sig0 is not null || headSig1 is not null ? Identity(fields, options) : default;

        var kind = Kind(partial, chunked, bsigsText is not null);
        if (kind == SignedResponseKind.Complete && !options.AllowCompleteOnly)
        {
            throw new OuinetVerificationException(OuinetVerificationError.CppForm,
                "A complete-signature-only response cannot be verified while streaming (and a Ouinet C++ client refuses it).");
        }
        var bsigs = kind == SignedResponseKind.Complete ? null : CheckBlockSignatures(bsigsText!, trustedKey);
        var range = kind == SignedResponseKind.Range ? CheckRange(fields, bsigs!.BlockSize, options.RequestedRange) : (BlockRange?)null;
        return new VerifiedHead
        {
            Kind = kind,
            SignedStatus = status,
            Received = head,
            Sig0 = sig0,
            HeadSig1 = headSig1,
            BlockSignatures = bsigs,
            Range = range,
            Uri = identity.Uri,
            Injection = identity.Injection,
        };
    }

    /// <summary>The URI and injection of an entry whose signature covering them verified; checks the URI asked for.</summary>
    public static (string? Uri, InjectionHeader? Injection) Identity(HttpFields fields, SignedResponseOptions options)
    {
        var uri = SignatureCheck.Single(fields, OuinetHeaders.Uri, OuinetVerificationError.Format)
            ?? throw new OuinetVerificationException(OuinetVerificationError.Coverage, "No X-Ouinet-URI.");
        if (options.ExpectedUri is { } expected && !string.Equals(uri, expected, StringComparison.Ordinal))
        {
            throw new OuinetVerificationException(OuinetVerificationError.UriMismatch, $"The entry is for {uri}, not the requested {expected}.");
        }
        var text = SignatureCheck.Single(fields, OuinetHeaders.Injection, OuinetVerificationError.Format);
        if (!InjectionHeader.TryParse(text, out var injection, out var error))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Format, $"X-Ouinet-Injection \"{text}\" is malformed: {error}.");
        }
        return (uri, injection);
    }

    private static void CheckVersion(HttpFields fields, ProtocolVersion expected)
    {
        var text = SignatureCheck.Single(fields, OuinetHeaders.Version, OuinetVerificationError.Version);
        if (text is null || !ProtocolVersion.TryParse(text, out var version))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Version, $"X-Ouinet-Version is {(text is null ? "missing" : $"\"{text}\"")}, expected {expected}.");
        }
        if (version != expected)
        {
            throw new OuinetVerificationException(OuinetVerificationError.Version, $"X-Ouinet-Version is {version}, expected {expected}.");
        }
    }

    private static HttpSignature VerifyHeadSig1(string? text, InjectorPublicKey trustedKey, int status, HttpFields fields, IReadOnlyList<string> required)
    {
        if (text is null)
        {
            throw new OuinetVerificationException(OuinetVerificationError.MissingSig1, "A 206 without X-Ouinet-Sig1 in its head.");
        }
        var sig1 = SignatureCheck.Parse(OuinetHeaders.Sig1, text);
        SignatureCheck.Verify(sig1, OuinetHeaders.Sig1, trustedKey, status, fields, required, isFull: true);
        return sig1;
    }

    private static SignedResponseKind Kind(bool partial, bool chunked, bool hasBlockSignatures)
    {
        if (!hasBlockSignatures)
        {
            return partial
                ? throw new OuinetVerificationException(OuinetVerificationError.RangeUnverifiable, "A 206 without X-Ouinet-BSigs: it carries no block signatures.")
                : SignedResponseKind.Complete;
        }
        if (!chunked)
        {
            // Block signatures ride on chunk lines; without them only Sig1 can vouch for the whole body.
            return partial
                ? throw new OuinetVerificationException(OuinetVerificationError.ChunkFormat, "A 206 that is not chunked cannot carry its block signatures.")
                : SignedResponseKind.Complete;
        }
        return partial ? SignedResponseKind.Range : SignedResponseKind.Stream;
    }

    private static BlockSignaturesHeader CheckBlockSignatures(string text, InjectorPublicKey trustedKey)
    {
        if (!BlockSignaturesHeader.TryParse(text, out var bsigs, out var error))
        {
            throw new OuinetVerificationException(OuinetVerificationError.SignatureFormat, $"X-Ouinet-BSigs is malformed: {error}.");
        }
        if (!bsigs.TryGetPublicKey(out var key) || !key.Equals(trustedKey))
        {
            throw new OuinetVerificationException(OuinetVerificationError.KeyId, $"X-Ouinet-BSigs keyId {bsigs.KeyId} is not the trusted injector key.");
        }
        if (!string.Equals(bsigs.Algorithm, HttpSignature.Hs2019, StringComparison.Ordinal))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Algorithm, $"X-Ouinet-BSigs algorithm \"{bsigs.Algorithm}\" is not {HttpSignature.Hs2019}.");
        }
        return bsigs;
    }

    private static BlockRange CheckRange(HttpFields fields, int blockSize, RequestedRange? requested)
    {
        if (fields.Get("Content-Type") is { } type && type.TrimStart().StartsWith("multipart/byteranges", StringComparison.OrdinalIgnoreCase))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, "Multipart (several ranges) 206 responses are not supported.");
        }
        var text = SignatureCheck.Single(fields, "Content-Range", OuinetVerificationError.Range)
            ?? throw new OuinetVerificationException(OuinetVerificationError.Range, "A 206 without Content-Range.");
        if (!BlockRange.TryParseContentRange(text, blockSize, out var error, out var range))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, error + ".");
        }
        var sizeText = fields.Get(OuinetHeaders.DataSize);
        if (!DataSizeHeader.TryParse(sizeText, out var dataSize) || dataSize != range.DataSize)
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, $"Content-Range \"{text}\" does not match X-Ouinet-Data-Size {sizeText}.");
        }
        // The bytes asked for that exist must all be in the range (a peer may send more, never less).
        if (requested is { } r && (r.First < range.First || r.First > range.Last || Math.Min(r.Last ?? long.MaxValue, range.DataSize - 1) > range.Last))
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, $"Content-Range \"{text}\" does not cover the requested bytes {r.First}-{r.Last}.");
        }
        return range;
    }

    private static bool AnnouncesTrailer(HttpFields fields, string name) =>
        fields.GetAll("Trailer").SelectMany(v => v.Split(',')).Any(n => n.Trim(' ', '\t').Equals(name, StringComparison.OrdinalIgnoreCase));
}
