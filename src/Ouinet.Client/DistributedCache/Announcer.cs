using Microsoft.Extensions.Logging;
using Ouinet.Client.Caching;
using Ouinet.Dht;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// Keeps the swarms of the stored entries announced in the DHT (implied port: our UDP port, where the peer server
/// listens). Each entry's groups are announced (an entry without a group: its URI — the spec's <c>…/uri/&lt;uri&gt;</c>),
/// as <see cref="SwarmName.ForGroup"/>. As Ouinet does: a group is re-announced 20 minutes after a successful round and
/// 5 minutes after a failed one, a round is up to 3 tries 1 s, 2 s, 3 s apart, and at most
/// <c>max-simultaneous-announcements</c> (16) run at once. The store's index is compared with the announced set every
/// <see cref="DistributedCacheTimings.StoreScanInterval"/> and whenever <see cref="Nudge"/> is called: entries that
/// expired (older than <c>max-cached-age</c>) or were removed stop being announced. Private requests are never stored,
/// so never announced.
/// </summary>
internal sealed class Announcer : IDisposable
{
    private readonly DhtNode _dht;
    private readonly LocalCache _cache;
    private readonly InjectorPublicKey _key;
    private readonly ClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, GroupState> _groups = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly SemaphoreSlim _slots;

    public Announcer(DhtNode dht, LocalCache cache, InjectorPublicKey key, ClientOptions options, ILogger logger)
    {
        _dht = dht;
        _cache = cache;
        _key = key;
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxSimultaneousAnnouncements, options.MaxSimultaneousAnnouncements);
    }

    private sealed class GroupState(string name)
    {
        public string Name { get; } = name;

        public InfoHash InfoHash { get; init; }

        public DateTimeOffset Due { get; set; }

        public bool Running { get; set; }

        public bool Announced { get; set; }

        public bool Removed { get; set; }
    }

    public IReadOnlyCollection<string> Announced
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Values.Where(g => g.Announced).Select(g => g.Name).Order(StringComparer.Ordinal)];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    public void Dispose()
    {
        _wake.Dispose();
        _slots.Dispose();
    }

    /// <summary>Look at the store now (an entry was just stored).</summary>
    public void Nudge()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Reconcile();
                var now = _time.GetUtcNow();
                List<GroupState> due;
                lock (_lock)
                {
                    due = [.. _groups.Values.Where(g => !g.Running && g.Due <= now).OrderBy(g => g.Due)];
                    foreach (var g in due)
                    {
                        g.Running = true;
                    }
                }
                foreach (var group in due)
                {
                    running.Add(AnnounceAsync(group, cancellationToken));
                }
                running.RemoveAll(t => t.IsCompleted);
                try
                {
                    await _wake.WaitAsync(_options.DistributedCacheTimings.StoreScanInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The groups the store's (unexpired) entries are in.</summary>
    internal HashSet<string> WantedGroups()
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var maxAge = _options.MaxCachedAge;
        foreach (var store in new[] { _cache.Store, _cache.StaticCache })
        {
            if (store is null)
            {
                continue;
            }
            foreach (var entry in store.Entries)
            {
                if (store == _cache.Store && maxAge is { } age && now - entry.InjectionTimestamp > age.TotalSeconds)
                {
                    continue;
                }
                if (entry.Groups.Count == 0)
                {
                    wanted.Add(entry.Uri);
                }
                else
                {
                    wanted.UnionWith(entry.Groups);
                }
            }
        }
        return wanted;
    }

    private void Reconcile()
    {
        var wanted = WantedGroups();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var name in _groups.Keys.Where(n => !wanted.Contains(n)).ToList())
            {
                _groups[name].Removed = true;
                _groups.Remove(name);
                Log.Unannounced(_logger, name);
            }
            foreach (var name in wanted)
            {
                if (!_groups.ContainsKey(name))
                {
                    var swarm = SwarmName.ForGroup(_key, ProtocolVersion.Current, name);
                    _groups[name] = new GroupState(name) { InfoHash = new InfoHash(swarm.InfoHash), Due = now };
                }
            }
        }
    }

    private async Task AnnounceAsync(GroupState group, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var success = false;
        try
        {
            await _dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
            var tries = Math.Max(1, _options.DistributedCacheTimings.AnnounceTries);
            for (var attempt = 1; attempt <= tries && !group.Removed; attempt++)
            {
                var result = await _dht.AnnounceAsync(group.InfoHash, null, cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    success = true;
                    Log.Announced(_logger, group.Name, result.NodesAccepted);
                    break;
                }
                if (attempt < tries)
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            if (!success)
            {
                Log.AnnounceFailed(_logger, group.Name);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _slots.Release();
            lock (_lock)
            {
                group.Running = false;
                group.Announced = success;
                var timings = _options.DistributedCacheTimings;
                group.Due = _time.GetUtcNow() + (success ? timings.AnnounceInterval : timings.AnnounceRetryInterval);
            }
        }
    }
}
