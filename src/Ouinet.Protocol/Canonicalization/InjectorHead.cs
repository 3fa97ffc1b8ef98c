using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Canonicalization;

/// <summary>
/// Builds the head an injector sends for a signature stream, field for field as Ouinet C++ 1.6 does (C5b):
/// the canonical origin fields, then <c>X-Ouinet-Version</c>, <c>X-Ouinet-URI</c>, <c>X-Ouinet-Injection</c>,
/// <c>X-Ouinet-BSigs</c>, <c>X-Ouinet-Sig0</c>, <c>Transfer-Encoding: chunked</c> (unless the origin's stayed in
/// place) and <c>Trailer: X-Ouinet-Data-Size, Digest, X-Ouinet-Sig1</c>.
/// </summary>
public static class InjectorHead
{
    /// <summary>
    /// The injector head for <paramref name="origin"/> fetched for <paramref name="uri"/> (used as given: it should
    /// be canonical, see <see cref="CanonicalUri"/>). <c>X-Ouinet-Sig0</c> is made by <paramref name="key"/> at the
    /// injection time and covers <c>X-Ouinet-BSigs</c>, as C++ clients require (C5a).
    /// </summary>
    public static HttpResponseHead Create(
        HttpResponseHead origin,
        string uri,
        InjectionHeader injection,
        InjectorPrivateKey key,
        int blockSize = BlockSignaturesHeader.DefaultBlockSize,
        ProtocolVersion? version = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var head = Build(origin, uri, injection, version ?? ProtocolVersion.Current, BlockSignaturesHeader.For(key.PublicKey, blockSize), keepChunkedFraming: true);
        var sig0 = HeadSigner.SignHead(key, head, injection.Timestamp);
        head.Fields.Add(OuinetHeaders.Sig0, sig0.Format());
        if (!head.Fields.Contains("Transfer-Encoding"))
        {
            head.Fields.Add("Transfer-Encoding", "chunked");
        }
        head.Fields.Add("Trailer", OuinetHeaders.InjectorTrailer);
        return head;
    }

    /// <summary>
    /// The cache entry's own head before any signature or framing: the canonical origin fields, then
    /// <c>X-Ouinet-Version</c>, <c>X-Ouinet-URI</c>, <c>X-Ouinet-Injection</c> and, for a signature stream,
    /// <c>X-Ouinet-BSigs</c>. A complete-signature-only response is this plus <c>X-Ouinet-Data-Size</c>,
    /// <c>Digest</c> and <c>X-Ouinet-Sig1</c>.
    /// </summary>
    public static HttpResponseHead CreateEntry(
        HttpResponseHead origin,
        string uri,
        InjectionHeader injection,
        ProtocolVersion version,
        BlockSignaturesHeader? blockSignatures) =>
        Build(origin, uri, injection, version, blockSignatures, keepChunkedFraming: false);

    private static HttpResponseHead Build(
        HttpResponseHead origin,
        string uri,
        InjectionHeader injection,
        ProtocolVersion version,
        BlockSignaturesHeader? blockSignatures,
        bool keepChunkedFraming)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentException.ThrowIfNullOrEmpty(uri);
        ArgumentNullException.ThrowIfNull(injection);
        var fields = CanonicalResponse.Filter(origin.Fields, keepChunkedFraming);
        fields.Add(OuinetHeaders.Version, version.ToString());
        fields.Add(OuinetHeaders.Uri, uri);
        fields.Add(OuinetHeaders.Injection, injection.Format());
        if (blockSignatures is not null)
        {
            fields.Add(OuinetHeaders.BlockSignatures, blockSignatures.Format());
        }
        return new HttpResponseHead(origin.StatusCode, origin.Reason, HttpProtocolVersion.Http11, fields);
    }
}
