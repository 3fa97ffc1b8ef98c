using Ouinet.Http;

namespace Ouinet.Cache.Policy;

/// <summary>Why a response may or may not be stored in the distributed cache.</summary>
public enum StoreDecision
{
    Store,
    /// <summary>Only 200, 301, 302 and 307 are stored: the project does not share error pages.</summary>
    StatusNotCacheable,
    /// <summary><c>no-store</c> in the request or the response.</summary>
    NoStore,
    /// <summary><c>Cache-Control: private</c> and the request carried something that could be confidential.</summary>
    PrivateWarranted,
    /// <summary>An authorized request whose response does not say it may be shared (RFC 9111 §3.5).</summary>
    Authorized,
    /// <summary>The request is not eligible at all (not GET, <c>X-Ouinet-Private</c>, a body...).</summary>
    RequestNotEligible,
}

/// <summary>The response side of the spec's "Cache eligibility": RFC 9111 §3 with the spec's two exceptions.</summary>
public static class ResponsePolicy
{
    public static IReadOnlySet<int> CacheableStatuses { get; } = new HashSet<int> { 200, 301, 302, 307 };

    /// <summary>
    /// Whether the response to <paramref name="request"/> for <paramref name="uri"/> may be stored and shared.
    /// <paramref name="cachePrivate"/> (the client's <c>cache-private</c> option) stores private responses anyway.
    /// </summary>
    public static StoreDecision Decide(HttpRequestHead request, string uri, HttpResponseHead response, bool cachePrivate = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (RequestPolicy.Classify(request) is not RequestCacheability.Eligible || request.Method != "GET")
        {
            return StoreDecision.RequestNotEligible;
        }
        if (!CacheableStatuses.Contains(response.StatusCode))
        {
            return StoreDecision.StatusNotCacheable;
        }
        var responseCc = CacheControl.From(response.Fields);
        if (responseCc.NoStore || CacheControl.From(request.Fields).NoStore)
        {
            return StoreDecision.NoStore;
        }
        if (request.Fields.Contains("Authorization") && !(responseCc.Public || responseCc.MustRevalidate || responseCc.SharedMaxAge is not null))
        {
            return StoreDecision.Authorized;
        }
        if (responseCc.Private && !cachePrivate && RequestPolicy.PrivateIsWarranted(request.Method, uri, request.Fields))
        {
            return StoreDecision.PrivateWarranted;
        }
        return StoreDecision.Store;
    }
}
