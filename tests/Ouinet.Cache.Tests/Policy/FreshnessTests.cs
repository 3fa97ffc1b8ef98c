using Ouinet.Cache.Policy;
using Ouinet.Http;
using static Ouinet.Cache.Tests.Policy.CacheControlTests;

namespace Ouinet.Cache.Tests.Policy;

public class FreshnessTests
{
    private static readonly DateTimeOffset Injected = new(2020, 3, 21, 0, 0, 0, TimeSpan.Zero);
    private const string InjectedDate = "Sat, 21 Mar 2020 00:00:00 GMT";

    [Theory]
    [InlineData("max-age=60", 59, EntryState.Fresh)]
    [InlineData("max-age=60", 61, EntryState.Stale)]
    [InlineData("max-age=600, s-maxage=30", 31, EntryState.Stale)]
    [InlineData("s-maxage=600, max-age=30", 31, EntryState.Fresh)]
    public void CacheControlLifetimes_SharedMaxAgeFirst(string cacheControl, int secondsLater, EntryState expected) =>
        Assert.Equal(expected, Evaluate(Head(200, ("Date", InjectedDate), ("Cache-Control", cacheControl)), secondsLater).State);

    [Fact]
    public void Expires_IsMeasuredFromDate()
    {
        var head = Head(200, ("Date", InjectedDate), ("Expires", "Sat, 21 Mar 2020 01:00:00 GMT"));
        Assert.Equal(EntryState.Fresh, Evaluate(head, 3599).State);
        Assert.Equal(EntryState.Stale, Evaluate(head, 3601).State);
        Assert.Equal(EntryState.Stale, Evaluate(Head(200, ("Date", InjectedDate), ("Expires", "0")), 1).State);
    }

    [Fact]
    public void AgeHeaderAndDateBeforeInjection_CountTowardsTheAge()
    {
        var head = Head(200, ("Date", "Fri, 20 Mar 2020 23:59:30 GMT"), ("Age", "20"), ("Cache-Control", "max-age=60"));
        var report = Evaluate(head, 25);
        Assert.Equal(TimeSpan.FromSeconds(55), report.Age); // max(30 apparent, 20 Age) + 25 resident
        Assert.Equal(EntryState.Fresh, report.State);
        Assert.Equal(EntryState.Stale, Evaluate(head, 31).State);
    }

    [Fact]
    public void Heuristic_IsATenthOfTheLastModifiedAge_CappedAtADay()
    {
        var recent = Head(200, ("Date", InjectedDate), ("Last-Modified", "Fri, 20 Mar 2020 14:00:00 GMT")); // 10 h → 1 h
        Assert.Equal(TimeSpan.FromHours(1), Evaluate(recent, 0).Lifetime);
        var old = Head(200, ("Date", InjectedDate), ("Last-Modified", "Sat, 01 Jan 2000 00:00:00 GMT"));
        Assert.Equal(TimeSpan.FromDays(1), Evaluate(old, 0).Lifetime);
        Assert.Equal(EntryState.Stale, Evaluate(Head(200, ("Date", InjectedDate)), 1).State);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public void TemporaryRedirects_AreOnlyALastResort(int status) =>
        Assert.Equal(EntryState.Stale, Evaluate(Head(status, ("Date", InjectedDate), ("Cache-Control", "max-age=600")), 1).State);

    [Fact]
    public void PrivateEntries_AreOnlyALastResort() =>
        Assert.Equal(EntryState.Stale, Evaluate(Head(200, ("Date", InjectedDate), ("Cache-Control", "private, max-age=600")), 1).State);

    [Fact]
    public void BeyondMaxCachedAge_IsTooOld_EvenIfFresh()
    {
        var head = Head(200, ("Date", InjectedDate), ("Cache-Control", "max-age=99999999"));
        Assert.Equal(EntryState.TooOld, Freshness.Evaluate(head, Injected, Injected + TimeSpan.FromDays(8), Freshness.DefaultMaxCachedAge).State);
        Assert.Equal(EntryState.Fresh, Freshness.Evaluate(head, Injected, Injected + TimeSpan.FromDays(8), maxCachedAge: null).State);
    }

    [Fact]
    public void RequestDirectives_TightenOrLoosenFreshness()
    {
        var head = Head(200, ("Date", InjectedDate), ("Cache-Control", "max-age=60"));
        Assert.Equal(EntryState.Stale, Evaluate(head, 30, ("Cache-Control", "max-age=10")).State);
        Assert.Equal(EntryState.Stale, Evaluate(head, 30, ("Cache-Control", "min-fresh=40")).State);
        Assert.Equal(EntryState.Stale, Evaluate(head, 30, ("Cache-Control", "no-cache")).State);
        Assert.Equal(EntryState.Fresh, Evaluate(head, 90, ("Cache-Control", "max-stale=60")).State);
        var mustRevalidate = Head(200, ("Date", InjectedDate), ("Cache-Control", "max-age=60, must-revalidate"));
        Assert.Equal(EntryState.Stale, Evaluate(mustRevalidate, 90, ("Cache-Control", "max-stale=60")).State);
    }

    [Fact]
    public void Reasons_AreWordedFromTheNumbers()
    {
        var head = Head(200, ("Date", InjectedDate), ("Cache-Control", "max-age=60"));
        Assert.Equal("fresh for 30 s more (max-age)", Evaluate(head, 30).Reason);
        Assert.Equal("expired 30 s ago (max-age)", Evaluate(head, 90).Reason);
        Assert.Equal("expired 10 s ago (max-age)", Evaluate(head, 30, ("Cache-Control", "min-fresh=40")).Reason);
        Assert.Equal("older than the request's max-age 10", Evaluate(head, 30, ("Cache-Control", "max-age=10")).Reason);
        Assert.Equal("injected 8 days ago, beyond max-cached-age 7 days",
            Freshness.Evaluate(head, Injected, Injected + TimeSpan.FromDays(8), Freshness.DefaultMaxCachedAge).Reason);
    }

    [Fact]
    public void StoredFacts_ReadOnce_JudgeLikeTheHead()
    {
        var head = Head(200, ("Date", InjectedDate), ("Cache-Control", "max-age=60"));
        var stored = StoredFreshness.From(head);
        foreach (var later in new[] { 0, 59, 61, 3600 })
        {
            var now = Injected + TimeSpan.FromSeconds(later);
            Assert.Equal(Freshness.Evaluate(head, Injected, now, null).State, Freshness.Evaluate(stored, Injected, now, null).State);
        }
        Assert.Equal(EntryState.Stale, Freshness.Evaluate(stored, Injected, Injected + TimeSpan.FromSeconds(61), null).State);
    }

    private static FreshnessReport Evaluate(HttpResponseHead head, int secondsLater, params (string, string)[] request) =>
        Freshness.Evaluate(head, Injected, Injected + TimeSpan.FromSeconds(secondsLater), Freshness.DefaultMaxCachedAge, CacheControl.From(Fields(request)));

    private static HttpResponseHead Head(int status, params (string, string)[] fields) => new(status, fields: Fields(fields));
}
