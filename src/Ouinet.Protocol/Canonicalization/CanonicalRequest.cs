using System.Diagnostics.CodeAnalysis;
using Ouinet.Http;

namespace Ouinet.Protocol.Canonicalization;

/// <summary>
/// The one predictable request an injector sends to an origin for a URI (the spec's "canonical request"), so
/// that every injection of a URI asks the same question: HTTP/1.1, origin-form target, <c>Host</c> from the URI,
/// fixed neutral headers, and only <c>Origin</c> and <c>From</c> taken from the client.
/// </summary>
public static class CanonicalRequest
{
    /// <summary>The spec's <c>User-Agent</c>. (Ouinet C++ 1.6.10 sends a Firefox 115 string; the spec is our source.)</summary>
    public const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; rv:68.0) Gecko/20100101 Firefox/68.0";

    /// <summary>
    /// Builds the canonical request for <paramref name="canonicalUri"/> (see <see cref="CanonicalUri"/>; throws if it
    /// is not canonical, a bug in the caller). <paramref name="method"/> is the client's: GET or HEAD.
    /// Fields, in order: <c>Host</c>, <c>Accept: */*</c>, <c>Accept-Encoding: </c> (empty), <c>DNT: 1</c>,
    /// <c>Upgrade-Insecure-Requests: 1</c>, <c>User-Agent</c>, then the client's first <c>Origin</c> and first
    /// <c>From</c> when present.
    /// </summary>
    public static HttpRequestHead Create(string canonicalUri, HttpFields? clientFields = null, string method = "GET")
    {
        if (method is not ("GET" or "HEAD"))
        {
            throw new ArgumentException("Only GET and HEAD responses are injected.", nameof(method));
        }
        var (_, authority, target) = CanonicalUri.Split(canonicalUri);
        var fields = new HttpFields();
        fields.Add("Host", authority);
        fields.Add("Accept", "*/*");
        fields.Add("Accept-Encoding", string.Empty);
        fields.Add("DNT", "1");
        fields.Add("Upgrade-Insecure-Requests", "1");
        fields.Add("User-Agent", UserAgent);
        foreach (var kept in (ReadOnlySpan<string>)["Origin", "From"])
        {
            if (clientFields?.Get(kept) is { } value)
            {
                fields.Add(kept, value);
            }
        }
        return new HttpRequestHead(method, target, HttpProtocolVersion.Http11, fields);
    }

    /// <summary>
    /// As <see cref="Create(string, HttpFields?, string)"/> for a <see cref="Uri"/>: its <see cref="Uri.AbsoluteUri"/>
    /// (already escaped and dot-segment-resolved by .NET) is normalized first; throws if that cannot be done.
    /// </summary>
    public static HttpRequestHead Create(Uri uri, HttpFields? clientFields = null, string method = "GET") =>
        TryCreate(uri, clientFields, method, out var request, out var error)
            ? request
            : throw new ArgumentException($"No canonical form for {uri} ({error}).", nameof(uri));

    /// <summary>As <see cref="Create(string, HttpFields?, string)"/> for any URI: normalized first, failing on what cannot be.</summary>
    public static bool TryCreate(
        string uri,
        HttpFields? clientFields,
        string method,
        [NotNullWhen(true)] out HttpRequestHead? request,
        out CanonicalUriError error)
    {
        request = null;
        if (!CanonicalUri.TryNormalize(uri, out var canonical, out error))
        {
            return false;
        }
        request = Create(canonical, clientFields, method);
        return true;
    }

    /// <summary>
    /// As <see cref="TryCreate(string, HttpFields?, string, out HttpRequestHead?, out CanonicalUriError)"/> for a
    /// <see cref="Uri"/>, whose <see cref="Uri.AbsoluteUri"/> (already escaped and dot-segment-resolved by .NET) is used.
    /// </summary>
    public static bool TryCreate(
        Uri uri,
        HttpFields? clientFields,
        string method,
        [NotNullWhen(true)] out HttpRequestHead? request,
        out CanonicalUriError error)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            request = null;
            error = CanonicalUriError.NotAbsolute;
            return false;
        }
        return TryCreate(uri.AbsoluteUri, clientFields, method, out request, out error);
    }
}
