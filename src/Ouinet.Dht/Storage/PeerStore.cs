using System.Net;

namespace Ouinet.Dht.Storage;

/// <summary>
/// The peers other nodes announced to us, per info-hash, each forgotten <c>ttl</c> after its last announce. Bounded
/// in swarms and in peers per swarm, so that announcers cannot make us grow without limit: a full swarm drops its
/// stalest peer, and when all swarm slots are taken new info-hashes are refused until some expire.
/// </summary>
internal sealed class PeerStore(int maxSwarms, int maxPeersPerSwarm, TimeSpan ttl)
{
    private readonly long _ttlMs = (long)ttl.TotalMilliseconds;
    private readonly Dictionary<NodeId, Dictionary<IPEndPoint, long>> _swarms = [];

    public int SwarmCount => _swarms.Count;

    public int PeerCount { get; private set; }

    /// <summary>Records an announce; false when the store is full of other swarms.</summary>
    public bool Add(NodeId infoHash, IPEndPoint peer, long nowMs)
    {
        if (!_swarms.TryGetValue(infoHash, out var swarm))
        {
            if (_swarms.Count >= maxSwarms)
            {
                return false;
            }
            swarm = [];
            _swarms[infoHash] = swarm;
        }
        if (!swarm.ContainsKey(peer))
        {
            if (swarm.Count >= maxPeersPerSwarm)
            {
                var stalest = swarm.MinBy(p => p.Value).Key;
                swarm.Remove(stalest);
                PeerCount--;
            }
            PeerCount++;
        }
        swarm[peer] = nowMs + _ttlMs;
        return true;
    }

    /// <summary>Up to <paramref name="max"/> live peers of the swarm, a random sample when there are more.</summary>
    public List<IPEndPoint>? Get(NodeId infoHash, int max, long nowMs, DhtRandom random)
    {
        if (!_swarms.TryGetValue(infoHash, out var swarm) || max <= 0)
        {
            return null;
        }
        var live = new List<IPEndPoint>(Math.Min(swarm.Count, max));
        var seen = 0;
        foreach (var (peer, expiry) in swarm)
        {
            if (expiry <= nowMs)
            {
                continue;
            }
            // Reservoir sampling: every live peer has the same chance to be in a full answer.
            seen++;
            if (live.Count < max)
            {
                live.Add(peer);
            }
            else
            {
                var slot = random.Next(seen);
                if (slot < max)
                {
                    live[slot] = peer;
                }
            }
        }
        return live.Count > 0 ? live : null;
    }

    /// <summary>Forgets expired peers and empty swarms.</summary>
    public void Expire(long nowMs)
    {
        List<NodeId>? empty = null;
        foreach (var (infoHash, swarm) in _swarms)
        {
            var before = swarm.Count;
            foreach (var (peer, expiry) in swarm)
            {
                if (expiry <= nowMs)
                {
                    swarm.Remove(peer);
                }
            }
            PeerCount -= before - swarm.Count;
            if (swarm.Count == 0)
            {
                (empty ??= []).Add(infoHash);
            }
        }
        empty?.ForEach(h => _swarms.Remove(h));
    }
}
