using Ouinet.Http;

namespace Ouinet.Cache.Policy;

/// <summary>Whether a request may be answered from, or sent for injection into, the distributed cache.</summary>
public enum RequestCacheability
{
    /// <summary>A GET (or HEAD) without a body: eligible.</summary>
    Eligible,
    /// <summary>Another method: the spec caches GET only.</summary>
    NotGet,
    /// <summary>The request carries a body.</summary>
    HasBody,
    /// <summary><c>X-Ouinet-Private: true</c>: the user asked that nothing reveal this request to others.</summary>
    Private,
    /// <summary>A method override header turns the GET into something else.</summary>
    MethodOverride,
}

/// <summary>The request side of the spec's "Cache eligibility", and its heuristic for a response's <c>private</c>.</summary>
public static class RequestPolicy
{
    /// <summary>
    /// Headers the spec says never carry confidential information. Any other header in a request makes a response's
    /// <c>Cache-Control: private</c> warranted.
    /// </summary>
    public static IReadOnlySet<string> NonConfidentialHeaders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "User-Agent", "Cache-Control", "Accept", "Accept-Language", "Accept-Encoding", "From", "Origin",
        "Keep-Alive", "Connection", "Referer", "Proxy-Connection", "X-Requested-With", "Upgrade-Insecure-Requests", "DNT",
    };

    public static RequestCacheability Classify(HttpRequestHead request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsPrivate(request.Fields))
        {
            return RequestCacheability.Private;
        }
        if (request.Method is not ("GET" or "HEAD"))
        {
            return RequestCacheability.NotGet;
        }
        if (request.Fields.Get("X-HTTP-Method-Override") is { } overridden && !overridden.Trim().Equals("GET", StringComparison.OrdinalIgnoreCase))
        {
            return RequestCacheability.MethodOverride;
        }
        if (request.Fields.Contains("Transfer-Encoding") || (request.Fields.Get("Content-Length") is { } length && length.Trim() != "0"))
        {
            return RequestCacheability.HasBody;
        }
        return RequestCacheability.Eligible;
    }

    /// <summary><c>X-Ouinet-Private: true</c> (any case).</summary>
    public static bool IsPrivate(HttpFields fields) =>
        fields.GetAll("X-Ouinet-Private").Any(v => v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The spec's test of whether a response's <c>Cache-Control: private</c> is warranted for this request: a method
    /// other than GET, a query string in the URI, or any header outside <see cref="NonConfidentialHeaders"/>
    /// (Ouinet's own <c>X-Ouinet-*</c> request headers are the client's, not the user's, and do not count).
    /// </summary>
    public static bool PrivateIsWarranted(string method, string uri, HttpFields requestFields)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(requestFields);
        if (method != "GET" || uri.Contains('?', StringComparison.Ordinal))
        {
            return true;
        }
        return requestFields.Any(f => !NonConfidentialHeaders.Contains(f.Name) && !f.Name.StartsWith("X-Ouinet-", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the request insists on a fresh answer (the injector first, the cache only as a fallback).</summary>
    public static bool ForcesRevalidation(HttpFields requestFields)
    {
        ArgumentNullException.ThrowIfNull(requestFields);
        var cc = CacheControl.From(requestFields);
        return cc.NoCache || cc.NoStore || cc.MaxAge == TimeSpan.Zero || requestFields.Contains("If-None-Match");
    }
}
