using Microsoft.Extensions.Time.Testing;
using Ouinet.Cache.Policy;
using Ouinet.Cache.Store;
using Ouinet.Client.Caching;
using Ouinet.Client.Responses;
using Ouinet.Client.Routing;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client.Tests.Caching;

public sealed class LocalCacheTests : IDisposable
{
    private static readonly InjectorPublicKey Trusted = InjectorPublicKey.Parse(File.ReadAllText(TestPaths.Vector("keys", "trusted.public.hex")).Trim());
    private readonly TempDirectory _temp = new("local-cache");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2020, 3, 21, 0, 0, 30, TimeSpan.Zero));

    public LocalCacheTests()
    {
        TempDirectory.CopyTree(TestPaths.Vector("static-cache"), _temp.Combine("static"));
    }

    public void Dispose() => _temp.Dispose();

    private string StaticRoot => _temp.Combine("static");

    [Fact(Timeout = 10000)]
    public async Task StaticCacheEntry_IsFoundVerifiedAndOpened()
    {
        var cache = Create();
        var hit = cache.Find("https://example.com/old-location");
        Assert.NotNull(hit);
        Assert.True(hit.FromStaticCache);
        Assert.Equal(EntryState.Fresh, hit.Freshness.State); // max-age=86400, 30 s after injection
        using var entry = await cache.OpenAsync(hit, TestContext.Current.CancellationToken);
        Assert.NotNull(entry);
        Assert.Equal(88, entry.DataSize);
    }

    [Fact(Timeout = 10000)]
    public async Task TamperedStaticContent_IsNeverOpened_AndIsCheckedAgainWhenItChanges()
    {
        var cache = Create();
        var hit = cache.Find("https://example.com/big.bin")!;
        using (var first = await cache.OpenAsync(hit, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(first);
        }
        var body = Path.Combine(StaticRoot, "files", "big.bin");
        var bytes = File.ReadAllBytes(body);
        bytes[100_000] ^= 1;
        File.WriteAllBytes(body, bytes);
        File.SetLastWriteTimeUtc(body, DateTime.UtcNow.AddMinutes(1));
        Assert.Null(await cache.OpenAsync(hit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void EntriesBeyondMaxCachedAge_AreNotFoundInOurStore_ButAStaticCacheStays()
    {
        var store = SignedStore.Open(_temp.Combine("own"));
        TempDirectory.CopyTree(TestPaths.Vector("static-cache", ".ouinet", "data-v3"), Path.Combine(store.Repository, "data-v3"));
        store = SignedStore.Open(store.Repository, StaticRoot);
        _time.Advance(TimeSpan.FromDays(8));
        var onlyOwn = new LocalCache(store, null, Trusted, Freshness.DefaultMaxCachedAge, _time);
        Assert.Null(onlyOwn.Find("https://example.com/hello"));
        var withStatic = Create();
        Assert.NotNull(withStatic.Find("https://example.com/hello"));
    }

    [Fact]
    public void RequestDirectives_AreApplied()
    {
        var hit = Create().Find("https://example.com/old-location", CacheControl.From(Fields(("Cache-Control", "max-age=10"))));
        Assert.Equal(EntryState.Stale, hit!.Freshness.State);
    }

    [Fact(Timeout = 10000)]
    public async Task AnOpenEntry_IsJudgedAgainOnEveryFind_SoItTurnsStaleWhileKeptOpen()
    {
        var cache = Create();
        var uri = "https://example.com/old-location"; // max-age=86400, injected 30 s before _time
        var fresh = cache.Find(uri)!;
        Assert.Equal(EntryState.Fresh, fresh.Freshness.State);
        BrowserHeadCache heads;
        await using (var lease = await cache.LeaseAsync(fresh, TestContext.Current.CancellationToken))
        {
            heads = lease!.Heads;
            heads.Whole(lease.Entry, Mechanism.LocalCache);
        }
        _time.Advance(TimeSpan.FromDays(1));
        var later = cache.Find(uri)!;
        Assert.Equal(EntryState.Stale, later.Freshness.State);
        Assert.StartsWith("expired", later.Freshness.Reason, StringComparison.Ordinal);
        await using var again = await cache.LeaseAsync(later, TestContext.Current.CancellationToken);
        Assert.Same(heads, again!.Heads); // the same open version keeps its serialized head; only freshness changed
    }

    private LocalCache Create()
    {
        var own = SignedStore.Open(_temp.Combine("own-" + Guid.NewGuid().ToString("N")[..6]));
        var staticCache = SignedStore.Open(Path.Combine(StaticRoot, ".ouinet"), StaticRoot, new SignedStoreOptions { ReadOnly = true });
        return new LocalCache(own, staticCache, Trusted, Freshness.DefaultMaxCachedAge, _time);
    }

    private static Ouinet.Http.HttpFields Fields(params (string, string)[] fields)
    {
        var f = new Ouinet.Http.HttpFields();
        foreach (var (n, v) in fields)
        {
            f.Add(n, v);
        }
        return f;
    }
}
