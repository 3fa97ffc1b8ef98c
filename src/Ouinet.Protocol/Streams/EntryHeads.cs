using Ouinet.Http;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Builds the heads a verifier hands on: only what a verified signature covers survives (as a Ouinet C++ client
/// keeps only signed fields), so a peer cannot slip in, say, a <c>Set-Cookie</c>.
/// </summary>
internal static class EntryHeads
{
    /// <summary>
    /// The fields of <paramref name="head"/> and then <paramref name="trailers"/> that <paramref name="sig0"/> or
    /// <paramref name="sig1"/> (the verified ones) cover, plus those signature fields, <c>X-Ouinet-BSigs</c> when
    /// <paramref name="keepBlockSignatures"/> (checked separately: its keyId is the trusted key) and, for a 206,
    /// <c>X-Ouinet-HTTP-Status</c> and <c>Content-Range</c>. Framing never survives. Sig0 is dropped when Sig1
    /// supersedes it (C2, see <see cref="Supersedes"/>). Signature fields are rewritten in their canonical form.
    /// </summary>
    public static HttpResponseHead Build(
        HttpResponseHead head,
        HttpFields? trailers,
        HttpSignature? sig0,
        HttpSignature? sig1,
        bool keepBlockSignatures,
        bool keepRangeFields)
    {
        var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        covered.UnionWith(sig0?.Headers ?? []);
        covered.UnionWith(sig1?.Headers ?? []);
        var hasBlockSignatures = keepBlockSignatures && head.Fields.Contains(OuinetHeaders.BlockSignatures);
        var keepSig0 = sig0 is not null && !(sig1 is not null && Supersedes(sig1, sig0, hasBlockSignatures));
        var result = new HttpResponseHead(head.StatusCode, head.Reason, HttpProtocolVersion.Http11);
        foreach (var field in trailers is null ? head.Fields : head.Fields.Concat(trailers))
        {
            var name = field.Name;
            var keep = Is(name, OuinetHeaders.Sig0) ? keepSig0
                : Is(name, OuinetHeaders.Sig1) ? sig1 is not null
                : OuinetHeaders.IsSignatureField(name) ? false
                : Is(name, OuinetHeaders.BlockSignatures) ? keepBlockSignatures || covered.Contains(name)
                : Is(name, OuinetHeaders.HttpStatus) || Is(name, "Content-Range") ? keepRangeFields
                : !HeadSigner.IsUnsigned(name) && covered.Contains(name);
            if (keep)
            {
                // A verified signature is written in its canonical form: the head holds what was checked, spelled one way.
                var value = Is(name, OuinetHeaders.Sig0) ? sig0!.Format() : Is(name, OuinetHeaders.Sig1) ? sig1!.Format() : field.Value;
                result.Fields.Add(name, value);
            }
        }
        return result;
    }

    /// <summary>
    /// Ouinet C++'s rule for dropping a redundant head signature once Sig1 is merged in: same keyId and algorithm,
    /// not newer, covering a subset of Sig1's names. Our addition for the spec form: Sig0 stays when the head has an
    /// <c>X-Ouinet-BSigs</c> that Sig1 does not cover, so the stored head still vouches for it.
    /// </summary>
    public static bool Supersedes(HttpSignature sig1, HttpSignature sig0, bool headHasBlockSignatures) =>
        sig1.KeyId == sig0.KeyId
        && sig1.Algorithm == sig0.Algorithm
        && sig0.Created <= sig1.Created
        && sig0.Headers.All(sig1.Covers)
        && !(headHasBlockSignatures && !sig1.Covers(OuinetHeaders.BlockSignatures));

    private static bool Is(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);
}
