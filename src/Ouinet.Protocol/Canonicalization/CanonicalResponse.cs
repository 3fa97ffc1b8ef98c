using System.Collections.Frozen;
using Ouinet.Http;

namespace Ouinet.Protocol.Canonicalization;

/// <summary>
/// The spec's "canonical response": the origin response stripped of every field that may describe this one
/// request rather than the resource. Only an allow-list survives.
/// </summary>
public static class CanonicalResponse
{
    /// <summary>
    /// The spec's allow-list, except <c>Digest</c>: the injector adds its own <c>Digest</c> over the body it
    /// signs, and an origin's would clash with it (Ouinet C++ keeps both and then fails its own verification).
    /// </summary>
    public static IReadOnlyList<string> AllowedFields { get; } =
    [
        "Server", "Retry-After", "Content-Type", "Content-Encoding", "Content-Language", "Accept-Ranges", "ETag",
        "Age", "Date", "Expires", "Via", "Vary", "Location", "Cache-Control", "Warning", "Last-Modified",
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers",
    ];

    private static readonly FrozenSet<string> Allowed = AllowedFields.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether an origin field named <paramref name="name"/> is kept.</summary>
    public static bool IsAllowed(string name) => Allowed.Contains(name);

    /// <summary>
    /// The canonical response for an origin response head: same status and reason, HTTP/1.1, the allowed fields
    /// in origin order. A repeated field is grouped at its first occurrence's place, as Ouinet C++ (Boost.Beast)
    /// stores it; the signing string joins the values anyway, and grouping keeps our heads byte-identical.
    /// </summary>
    public static HttpResponseHead Create(HttpResponseHead origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return new HttpResponseHead(origin.StatusCode, origin.Reason, HttpProtocolVersion.Http11, Filter(origin.Fields, keepChunkedFraming: false));
    }

    /// <summary>
    /// The allowed fields in grouped origin order. With <paramref name="keepChunkedFraming"/>, an origin
    /// <c>Transfer-Encoding: chunked</c> stays where it was: Ouinet C++ re-frames the body as chunked and leaves
    /// an existing such field alone, so the injector head has it there (the <c>big</c> vector).
    /// </summary>
    internal static HttpFields Filter(HttpFields origin, bool keepChunkedFraming)
    {
        var kept = new List<HttpField>();
        foreach (var field in origin)
        {
            var keep = IsAllowed(field.Name)
                || (keepChunkedFraming
                    && field.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                    && field.Value.AsSpan().Trim(" \t").Equals("chunked", StringComparison.OrdinalIgnoreCase));
            if (!keep)
            {
                continue;
            }
            var last = kept.FindLastIndex(f => f.Name.Equals(field.Name, StringComparison.OrdinalIgnoreCase));
            kept.Insert(last < 0 ? kept.Count : last + 1, field);
        }
        return new HttpFields(kept);
    }
}
