using System.Globalization;
using Ouinet.Http;

namespace Ouinet.Cache.Policy;

/// <summary>How a stored entry may be used.</summary>
public enum EntryState
{
    /// <summary>Serve it without asking anyone.</summary>
    Fresh,
    /// <summary>Expired, private, a temporary redirect, or refused by the request's directives: only when nothing else works.</summary>
    Stale,
    /// <summary>Injected longer ago than <c>max-cached-age</c>: not served at all (and due for removal).</summary>
    TooOld,
}

/// <summary>The verdict on a stored entry, with the numbers behind it; <see cref="Reason"/> is worded only when read.</summary>
public sealed class FreshnessReport
{
    private readonly FreshnessReason _why;
    private readonly string? _lifetimeSource;
    // The other duration the reason names: max-cached-age (TooOld), the request's max-age, or its min-fresh.
    private readonly TimeSpan _limit;

    private FreshnessReport(EntryState state, TimeSpan age, TimeSpan lifetime, FreshnessReason why, string? lifetimeSource = null, TimeSpan limit = default)
    {
        State = state;
        Age = age;
        Lifetime = lifetime;
        _why = why;
        _lifetimeSource = lifetimeSource;
        _limit = limit;
    }

    public EntryState State { get; }

    /// <summary>The entry's age now (for <see cref="EntryState.TooOld"/>: how long ago it was injected).</summary>
    public TimeSpan Age { get; }

    public TimeSpan Lifetime { get; }

    /// <summary>Why, in words (for warnings and logs).</summary>
    public string Reason => _why switch
    {
        FreshnessReason.TooOld => $"injected {Describe(Age)} ago, beyond max-cached-age {Describe(_limit)}",
        FreshnessReason.Private => "the response is private: served only as a last resort",
        FreshnessReason.TemporaryRedirect => "a temporary redirect: served only as a last resort",
        FreshnessReason.NoCache => "no-cache: must be revalidated first",
        FreshnessReason.OlderThanRequestMaxAge => string.Create(CultureInfo.InvariantCulture, $"older than the request's max-age {_limit.TotalSeconds:0}"),
        FreshnessReason.Fresh => $"fresh for {Describe(Lifetime - Age)} more ({_lifetimeSource})",
        FreshnessReason.WithinMaxStale => "stale, within the request's max-stale",
        _ => $"expired {Describe(Age + _limit - Lifetime)} ago ({_lifetimeSource})",
    };

    internal static FreshnessReport TooOld(TimeSpan resident, TimeSpan maxCachedAge) => new(EntryState.TooOld, resident, TimeSpan.Zero, FreshnessReason.TooOld, limit: maxCachedAge);

    internal static FreshnessReport Stale(TimeSpan age, TimeSpan lifetime, FreshnessReason why, TimeSpan requestMaxAge = default) => new(EntryState.Stale, age, lifetime, why, limit: requestMaxAge);

    /// <param name="minFresh">The request's <c>min-fresh</c>, counted against the time left.</param>
    internal static FreshnessReport Judged(EntryState state, TimeSpan age, StoredFreshness stored, FreshnessReason why, TimeSpan minFresh) =>
        new(state, age, stored.Lifetime, why, stored.LifetimeSource, minFresh);

    private static string Describe(TimeSpan t) => t.TotalSeconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s")
        : t.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0} min") : string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:0.#} days");
}

internal enum FreshnessReason
{
    TooOld,
    Private,
    TemporaryRedirect,
    NoCache,
    OlderThanRequestMaxAge,
    Fresh,
    WithinMaxStale,
    Expired,
}

/// <summary>
/// What a stored head says about its own freshness (<c>Date</c>, <c>Age</c>, <c>Cache-Control</c>, <c>Expires</c>,
/// <c>Last-Modified</c>, the status), read once: a stored head never changes, so an entry kept open needs only the
/// per-request arithmetic of <see cref="Freshness.Evaluate(StoredFreshness, DateTimeOffset, DateTimeOffset, TimeSpan?, CacheControl?)"/>.
/// </summary>
public sealed class StoredFreshness
{
    private static readonly TimeSpan HeuristicCap = TimeSpan.FromDays(1);

    private StoredFreshness(HttpResponseHead head)
    {
        var fields = head.Fields;
        Date = Freshness.ParseDate(fields.Get("Date"));
        AgeValue = long.TryParse(fields.Get("Age"), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? TimeSpan.FromSeconds(Math.Min(a, int.MaxValue)) : TimeSpan.Zero;
        var cc = CacheControl.From(fields);
        Private = cc.Private;
        NoCache = cc.NoCache;
        MustRevalidate = cc.MustRevalidate;
        TemporaryRedirect = head.StatusCode is 302 or 307;
        (Lifetime, LifetimeSource) = FindLifetime(head, cc, Date);
    }

    public DateTimeOffset? Date { get; }

    /// <summary>The <c>Age</c> field (zero when absent or malformed).</summary>
    public TimeSpan AgeValue { get; }

    public TimeSpan Lifetime { get; }

    /// <summary>Where <see cref="Lifetime"/> came from, in words.</summary>
    public string LifetimeSource { get; }

    public bool Private { get; }

    public bool NoCache { get; }

    public bool MustRevalidate { get; }

    /// <summary>A 302 or 307.</summary>
    public bool TemporaryRedirect { get; }

    public static StoredFreshness From(HttpResponseHead storedHead)
    {
        ArgumentNullException.ThrowIfNull(storedHead);
        return new StoredFreshness(storedHead);
    }

    private static (TimeSpan Lifetime, string Source) FindLifetime(HttpResponseHead head, CacheControl cc, DateTimeOffset? date)
    {
        if (cc.SharedMaxAge is { } shared)
        {
            return (shared, "s-maxage");
        }
        if (cc.MaxAge is { } maxAge)
        {
            return (maxAge, "max-age");
        }
        if (head.Fields.Get("Expires") is { } expiresText)
        {
            // An invalid Expires means "already expired" (RFC 9111 §5.3).
            var expires = Freshness.ParseDate(expiresText);
            return (expires is { } e && date is { } d && e > d ? e - d : TimeSpan.Zero, "Expires");
        }
        if (head.StatusCode is 200 or 301 && date is { } dt && Freshness.ParseDate(head.Fields.Get("Last-Modified")) is { } modified && dt > modified)
        {
            var heuristic = (dt - modified) / 10;
            return (heuristic < HeuristicCap ? heuristic : HeuristicCap, "heuristic from Last-Modified");
        }
        return (TimeSpan.Zero, "no freshness information");
    }
}

/// <summary>
/// RFC 9111 §4.2 freshness as the spec adapts it for the distributed cache. The response time is the injection time
/// (signed, so every peer computes the same age); the lifetime comes from <c>s-maxage</c>, then <c>max-age</c>, then
/// <c>Expires</c> − <c>Date</c>, then the usual heuristic (10 % of <c>Date</c> − <c>Last-Modified</c>, at most a day).
/// Entries marked private and temporary redirects (302, 307) count as stale, as the spec and Ouinet C++ have it.
/// </summary>
public static class Freshness
{
    /// <summary>Ouinet's default <c>max-cached-age</c>: 7 days.</summary>
    public static readonly TimeSpan DefaultMaxCachedAge = TimeSpan.FromDays(7);

    /// <param name="storedHead">The entry's head.</param>
    /// <param name="injectedAt">The entry's injection time (<c>X-Ouinet-Injection</c> ts).</param>
    /// <param name="now">The current time.</param>
    /// <param name="maxCachedAge">Entries injected longer ago are <see cref="EntryState.TooOld"/>; null keeps them forever.</param>
    /// <param name="request">The request's directives (<c>max-age</c>, <c>min-fresh</c>, <c>max-stale</c>, <c>no-cache</c>), if any.</param>
    public static FreshnessReport Evaluate(HttpResponseHead storedHead, DateTimeOffset injectedAt, DateTimeOffset now, TimeSpan? maxCachedAge, CacheControl? request = null) =>
        Evaluate(StoredFreshness.From(storedHead), injectedAt, now, maxCachedAge, request);

    /// <summary>As above, from the stored head's facts read once (<see cref="StoredFreshness.From"/>).</summary>
    public static FreshnessReport Evaluate(StoredFreshness stored, DateTimeOffset injectedAt, DateTimeOffset now, TimeSpan? maxCachedAge, CacheControl? request = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        request ??= CacheControl.None;
        var resident = now - injectedAt;
        if (maxCachedAge is { } max && resident > max)
        {
            return FreshnessReport.TooOld(resident, max);
        }
        var apparentAge = stored.Date is { } d && injectedAt > d ? injectedAt - d : TimeSpan.Zero;
        var age = Max(apparentAge, stored.AgeValue) + Max(resident, TimeSpan.Zero);
        var lifetime = stored.Lifetime;
        if (stored.Private)
        {
            return FreshnessReport.Stale(age, lifetime, FreshnessReason.Private);
        }
        if (stored.TemporaryRedirect)
        {
            return FreshnessReport.Stale(age, lifetime, FreshnessReason.TemporaryRedirect);
        }
        if (stored.NoCache || request.NoCache)
        {
            return FreshnessReport.Stale(age, lifetime, FreshnessReason.NoCache);
        }
        if (request.MaxAge is { } wantAge && age > wantAge)
        {
            return FreshnessReport.Stale(age, lifetime, FreshnessReason.OlderThanRequestMaxAge, wantAge);
        }
        var minFresh = request.MinFresh ?? TimeSpan.Zero;
        var needed = age + minFresh;
        if (needed < lifetime)
        {
            return FreshnessReport.Judged(EntryState.Fresh, age, stored, FreshnessReason.Fresh, minFresh);
        }
        if (request.MaxStale is { } maxStale && !stored.MustRevalidate && needed - lifetime <= maxStale)
        {
            return FreshnessReport.Judged(EntryState.Fresh, age, stored, FreshnessReason.WithinMaxStale, minFresh);
        }
        return FreshnessReport.Judged(EntryState.Stale, age, stored, FreshnessReason.Expired, minFresh);
    }

    internal static DateTimeOffset? ParseDate(string? value) =>
        value is not null && DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
