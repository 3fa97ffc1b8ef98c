using System.Collections.Concurrent;
using Ouinet.Cache.Policy;
using Ouinet.Cache.StaticCache;
using Ouinet.Cache.Store;
using Ouinet.Cache.Storage;
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
        using var entry = store.TryOpen(uri);
        if (entry is null)
        {
            return null;
        }
        var report = Freshness.Evaluate(entry.Head, DateTimeOffset.FromUnixTimeSeconds(info.InjectionTimestamp), _time.GetUtcNow(),
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
