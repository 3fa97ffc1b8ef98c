using System.Collections.Concurrent;
using Ouinet.Cache.Policy;
using Ouinet.Cache.StaticCache;
using Ouinet.Cache.Store;
using Ouinet.Cache.Storage;
using Ouinet.Client.Responses;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client.Caching;

/// <summary>A stored entry found for a request, and how it may be used.</summary>
public sealed record CacheHit(SignedStore Store, StoredEntryInfo Info, FreshnessReport Freshness, bool FromStaticCache);

/// <summary>
/// The client's local sources of signed entries: its own store (entries it verified while they streamed in) and,
/// read-only, a static cache (<c>cache-static-root</c>/<c>cache-static-repo</c>). A static cache comes from outside,
/// so each of its entries is verified against the injector key the first time it is used, and again whenever one of
/// its files changes; an entry that fails is never served. When both have the URI, the newer injection wins.
/// </summary>
public sealed class LocalCache
{
    private readonly InjectorPublicKey _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _maxCachedAge;
    private readonly ConcurrentDictionary<string, (string Stamp, bool Valid, string Reason)> _staticVerdicts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(bool Static, string Uri), SharedEntry> _open = new();

    /// <summary>
    /// Entries kept open between requests (their parsed head, sigs, an open body, the head's freshness facts and the
    /// serialized browser head): a hit costs no file open and no head parsing.
    /// </summary>
    public const int OpenEntryCapacity = 1024;

    public LocalCache(SignedStore store, SignedStore? staticCache, InjectorPublicKey key, TimeSpan? maxCachedAge, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        Store = store;
        StaticCache = staticCache;
        _key = key;
        _maxCachedAge = maxCachedAge;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The client's own store (read/write).</summary>
    public SignedStore Store { get; }

    /// <summary>The static cache, if configured (read-only).</summary>
    public SignedStore? StaticCache { get; }

    /// <summary>The best entry for <paramref name="uri"/> and its freshness for this request; null when there is none usable.</summary>
    public CacheHit? Find(string uri, CacheControl? requestDirectives = null)
    {
        var own = Store.Find(uri);
        var fromStatic = StaticCache?.Find(uri);
        var (store, info, isStatic) = (own, fromStatic) switch
        {
            (null, null) => (null, null, false),
            (not null, null) => (Store, own, false),
            (null, not null) => (StaticCache, fromStatic, true),
            _ => fromStatic.InjectionTimestamp > own.InjectionTimestamp ? (StaticCache, fromStatic, true) : (Store, own, false),
        };
        if (store is null || info is null)
        {
            return null;
        }
        var shared = Shared(store, info);
        if (shared is null)
        {
            return null;
        }
        // The head is parsed once and never changed: reading it needs no reference even if the entry is evicted meanwhile.
        var report = Freshness.Evaluate(shared.Freshness, DateTimeOffset.FromUnixTimeSeconds(info.InjectionTimestamp), _time.GetUtcNow(),
            isStatic ? null : _maxCachedAge, requestDirectives);
        // A static cache is there to be served for as long as it is around: max-cached-age is about our own store.
        return report.State == EntryState.TooOld ? null : new CacheHit(store, info, report, isStatic);
    }

    /// <summary>
    /// Opens the entry of <paramref name="hit"/> for serving. A static-cache entry is verified first (once per version
    /// of its files); null when it does not verify or vanished.
    /// </summary>
    public async ValueTask<StoredEntry?> OpenAsync(CacheHit hit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hit);
        if (hit.FromStaticCache && !await IsVerifiedAsync(hit.Store, hit.Info.Uri, cancellationToken))
        {
            return null;
        }
        return hit.Store.TryOpen(hit.Info.Uri);
    }

    /// <summary>
    /// Like <see cref="OpenAsync"/>, but shares the entry kept open for the hot path: no file is opened when the same
    /// version of the entry was served before. Dispose the lease when done (the entry stays open for the next request).
    /// </summary>
    public async ValueTask<EntryLease?> LeaseAsync(CacheHit hit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hit);
        if (hit.FromStaticCache && !await IsVerifiedAsync(hit.Store, hit.Info.Uri, cancellationToken))
        {
            return null;
        }
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (Shared(hit.Store, hit.Info) is { } shared && shared.TryAcquire())
            {
                return new EntryLease(shared.Entry, shared.Heads, shared.Release);
            }
        }
        // Evicted twice in a row under us: an entry of our own.
        var entry = hit.Store.TryOpen(hit.Info.Uri);
        return entry is null ? null : new EntryLease(entry, new BrowserHeadCache(), entry.Dispose);
    }

    /// <summary>The open entry for this version (<see cref="StoredEntryInfo.InjectionId"/>) of the URI in <paramref name="store"/>.</summary>
    private SharedEntry? Shared(SignedStore store, StoredEntryInfo info)
    {
        var key = (ReferenceEquals(store, StaticCache), info.Uri);
        if (_open.TryGetValue(key, out var known) && known.InjectionId == info.InjectionId)
        {
            return known;
        }
        var entry = store.TryOpen(info.Uri);
        if (entry is null)
        {
            if (_open.TryRemove(key, out var gone))
            {
                gone.Release();
            }
            return null;
        }
        var fresh = new SharedEntry(entry);
        var replaced = false;
        _open.AddOrUpdate(key, fresh, (_, old) =>
        {
            replaced = true;
            old.Release();
            return fresh;
        });
        if (!replaced && _open.Count > OpenEntryCapacity)
        {
            foreach (var other in _open.Keys.Take(_open.Count - OpenEntryCapacity))
            {
                if (other != key && _open.TryRemove(other, out var evicted))
                {
                    evicted.Release();
                }
            }
        }
        return fresh;
    }

    private async ValueTask<bool> IsVerifiedAsync(SignedStore store, string uri, CancellationToken cancellationToken)
    {
        var directory = store.EntryDirectory(uri);
        var stamp = Stamp(directory, store.StaticRoot);
        if (_staticVerdicts.TryGetValue(directory, out var known) && known.Stamp == stamp)
        {
            return known.Valid;
        }
        var result = await StaticCacheVerifier.VerifyEntryAsync(store.Repository, directory, store.StaticRoot, _key, ProtocolVersion.Current, cancellationToken);
        _staticVerdicts[directory] = (stamp, result.IsValid, result.Message);
        return result.IsValid;
    }

    /// <summary>Sizes and modification times of an entry's files (and its body-path target): a change means verify again.</summary>
    private static string Stamp(string directory, string? staticRoot)
    {
        var parts = new List<string>();
        foreach (var name in new[] { "head", SigsFile.FileName, "body", BodyPath.FileName })
        {
            var file = new FileInfo(Path.Combine(directory, name));
            parts.Add(file.Exists ? $"{file.Length}:{file.LastWriteTimeUtc.Ticks}" : "-");
            if (name == BodyPath.FileName && file.Exists && staticRoot is not null && file.Length < 4096)
            {
                var target = BodyPath.Resolve(staticRoot, File.ReadAllText(file.FullName), out _);
                var body = target is null ? null : new FileInfo(target);
                parts.Add(body is { Exists: true } ? $"{body.Length}:{body.LastWriteTimeUtc.Ticks}" : "-");
            }
        }
        return string.Join('|', parts);
    }
}

/// <summary>
/// An open entry shared by requests: the cache holds one reference, each lease another; the last one closes it. What is
/// derived from its head lives here too, so a replaced entry (a new <see cref="SharedEntry"/>) never shows an old one's.
/// </summary>
internal sealed class SharedEntry(StoredEntry entry)
{
    private int _references = 1;

    public StoredEntry Entry { get; } = entry;

    public StoredFreshness Freshness { get; } = StoredFreshness.From(entry.Head);

    public BrowserHeadCache Heads { get; } = new();

    public string InjectionId => Entry.Injection.Id;

    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Entry.Dispose();
        }
    }
}

/// <summary>A stored entry lent for one response; disposing it gives it back (it is not closed while others use it).</summary>
public sealed class EntryLease : IDisposable, IAsyncDisposable
{
    private Action? _release;

    internal EntryLease(StoredEntry entry, BrowserHeadCache heads, Action release)
    {
        Entry = entry;
        Heads = heads;
        _release = release;
    }

    public StoredEntry Entry { get; }

    /// <summary>Serialized browser heads of this very entry (shared by every lease of it).</summary>
    public BrowserHeadCache Heads { get; }

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
