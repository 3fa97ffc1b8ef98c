using System.Net;

namespace Ouinet.Dht.Storage;

/// <summary>
/// A token bucket per source: each may send <c>rate</c> queries a second on average and <c>burst</c> at once; the
/// rest are dropped without an answer. The table of sources is bounded: idle (full) buckets are forgotten, and while
/// it is full of busy sources a newcomer is refused, so a spoofed flood cannot make us allocate.
/// </summary>
internal sealed class RateLimiter(double ratePerSecond, double burst, int maxSources)
{
    private readonly Dictionary<IPEndPoint, Bucket> _buckets = [];

    public int SourceCount => _buckets.Count;

    /// <summary>Takes one token for <paramref name="source"/>; false when it has none left.</summary>
    public bool TryAcquire(IPEndPoint source, long nowMs)
    {
        // Loopback nodes are told apart by port (tests run many on 127.0.0.1); elsewhere a source is its IP.
        var key = IPAddress.IsLoopback(source.Address) ? source : new IPEndPoint(source.Address, 0);
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= maxSources)
            {
                Prune(nowMs);
                if (_buckets.Count >= maxSources)
                {
                    return false;
                }
            }
            bucket = new Bucket { Tokens = burst, LastMs = nowMs };
        }
        bucket.Tokens = Math.Min(burst, bucket.Tokens + ((nowMs - bucket.LastMs) * ratePerSecond / 1000));
        bucket.LastMs = nowMs;
        var allowed = bucket.Tokens >= 1;
        if (allowed)
        {
            bucket.Tokens -= 1;
        }
        _buckets[key] = bucket;
        return allowed;
    }

    /// <summary>Forgets sources whose bucket has refilled: they cost nothing to recreate.</summary>
    public void Prune(long nowMs)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.Tokens + ((nowMs - bucket.LastMs) * ratePerSecond / 1000) >= burst)
            {
                _buckets.Remove(key);
            }
        }
    }

    private struct Bucket
    {
        public double Tokens;
        public long LastMs;
    }
}
