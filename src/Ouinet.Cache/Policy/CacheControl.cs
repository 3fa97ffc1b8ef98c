using System.Globalization;
using Ouinet.Http;

namespace Ouinet.Cache.Policy;

/// <summary>
/// The <c>Cache-Control</c> directives that matter to a shared cache (RFC 9111 §5.2), from all the field's lines.
/// Unknown directives are ignored; a malformed delta-seconds makes that directive count as present with value 0
/// (RFC 9111 §1.2.2: a recipient treats an invalid age as stale rather than fresh).
/// </summary>
public sealed record CacheControl
{
    public static CacheControl None { get; } = new();

    public bool NoStore { get; init; }
    public bool NoCache { get; init; }
    public bool Private { get; init; }
    public bool Public { get; init; }
    public bool MustRevalidate { get; init; }
    public bool ProxyRevalidate { get; init; }
    public TimeSpan? MaxAge { get; init; }
    public TimeSpan? SharedMaxAge { get; init; }
    public TimeSpan? MaxStale { get; init; }
    public TimeSpan? MinFresh { get; init; }
    public bool OnlyIfCached { get; init; }

    /// <summary>The directives of every <c>Cache-Control</c> line of <paramref name="fields"/> (and <c>Pragma: no-cache</c>).</summary>
    public static CacheControl From(HttpFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var hasCacheControl = fields.Contains("Cache-Control");
        if (!hasCacheControl && !fields.Contains("Pragma"))
        {
            return None; // most requests: nothing to parse, nothing to allocate
        }
        bool noStore = false, noCache = false, isPrivate = false, isPublic = false, mustRevalidate = false, proxyRevalidate = false, onlyIfCached = false;
        TimeSpan? maxAge = null, sharedMaxAge = null, maxStale = null, minFresh = null;
        foreach (var field in fields)
        {
            if (!field.Name.Equals("Cache-Control", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var item in SplitOutsideQuotes(field.Value))
            {
                var directive = item.Trim();
                var eq = directive.IndexOf('=', StringComparison.Ordinal);
                var name = (eq < 0 ? directive : directive[..eq]).Trim().ToLowerInvariant();
                var value = eq < 0 ? null : directive[(eq + 1)..].Trim().Trim('"');
                switch (name)
                {
                    case "no-store": noStore = true; break;
                    case "no-cache": noCache = true; break;
                    case "private": isPrivate = true; break;
                    case "public": isPublic = true; break;
                    case "must-revalidate": mustRevalidate = true; break;
                    case "proxy-revalidate": proxyRevalidate = true; break;
                    case "only-if-cached": onlyIfCached = true; break;
                    case "max-age": maxAge = Seconds(value); break;
                    case "s-maxage": sharedMaxAge = Seconds(value); break;
                    case "max-stale": maxStale = value is null ? TimeSpan.MaxValue : Seconds(value); break;
                    case "min-fresh": minFresh = Seconds(value); break;
                }
            }
        }
        if (!hasCacheControl && fields.GetAll("Pragma").Any(p => p.Contains("no-cache", StringComparison.OrdinalIgnoreCase)))
        {
            noCache = true;
        }
        return new CacheControl
        {
            NoStore = noStore, NoCache = noCache, Private = isPrivate, Public = isPublic, MustRevalidate = mustRevalidate,
            ProxyRevalidate = proxyRevalidate, OnlyIfCached = onlyIfCached, MaxAge = maxAge, SharedMaxAge = sharedMaxAge,
            MaxStale = maxStale, MinFresh = minFresh,
        };
    }

    private static TimeSpan Seconds(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(Math.Min(s, int.MaxValue))
            : value is { Length: > 0 } && value.All(char.IsAsciiDigit) ? TimeSpan.FromSeconds(int.MaxValue) : TimeSpan.Zero;

    private static IEnumerable<string> SplitOutsideQuotes(string line)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ',' && !quoted)
            {
                yield return line[start..i];
                start = i + 1;
            }
        }
        yield return line[start..];
    }
}
