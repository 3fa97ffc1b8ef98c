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
        var result = new CacheControl();
        foreach (var line in fields.GetAll("Cache-Control"))
        {
            foreach (var item in SplitOutsideQuotes(line))
            {
                var directive = item.Trim();
                var eq = directive.IndexOf('=', StringComparison.Ordinal);
                var name = (eq < 0 ? directive : directive[..eq]).Trim().ToLowerInvariant();
                var value = eq < 0 ? null : directive[(eq + 1)..].Trim().Trim('"');
                result = name switch
                {
                    "no-store" => result with { NoStore = true },
                    "no-cache" => result with { NoCache = true },
                    "private" => result with { Private = true },
                    "public" => result with { Public = true },
                    "must-revalidate" => result with { MustRevalidate = true },
                    "proxy-revalidate" => result with { ProxyRevalidate = true },
                    "only-if-cached" => result with { OnlyIfCached = true },
                    "max-age" => result with { MaxAge = Seconds(value) },
                    "s-maxage" => result with { SharedMaxAge = Seconds(value) },
                    "max-stale" => result with { MaxStale = value is null ? TimeSpan.MaxValue : Seconds(value) },
                    "min-fresh" => result with { MinFresh = Seconds(value) },
                    _ => result,
                };
            }
        }
        if (fields.GetAll("Pragma").Any(p => p.Contains("no-cache", StringComparison.OrdinalIgnoreCase)) && !fields.Contains("Cache-Control"))
        {
            result = result with { NoCache = true };
        }
        return result;
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
