using System.Net;
using Ouinet.Dht.Storage;

namespace Ouinet.Dht.Tests.Storage;

public class StorageTests
{
    private static readonly NodeId Hash = NodeId.Parse("0123456789abcdef0123456789abcdef01234567");

    [Fact]
    public void PeerStore_IsBoundedInSwarmsAndPeers()
    {
        var store = new PeerStore(maxSwarms: 2, maxPeersPerSwarm: 3, TimeSpan.FromMinutes(10));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(store.Add(Hash, new IPEndPoint(IPAddress.Loopback, 1000 + i), i));
        }
        Assert.Equal(3, store.PeerCount);
        // The stalest peers made room for the newest.
        Assert.Equal([1002, 1003, 1004], store.Get(Hash, 10, 10, DhtRandom.Seeded(1))!.Select(p => p.Port).Order());
        Assert.True(store.Add(NodeId.Zero, new IPEndPoint(IPAddress.Loopback, 1), 0));
        Assert.False(store.Add(NodeId.Max, new IPEndPoint(IPAddress.Loopback, 1), 0));
        Assert.Equal(2, store.SwarmCount);
    }

    [Fact]
    public void PeerStore_SamplesWhenAskedForFewerThanItHas()
    {
        var store = new PeerStore(10, 100, TimeSpan.FromMinutes(10));
        for (var i = 0; i < 100; i++)
        {
            store.Add(Hash, new IPEndPoint(IPAddress.Loopback, 1000 + i), 0);
        }
        var random = DhtRandom.Seeded(3);
        var seen = new HashSet<int>();
        for (var round = 0; round < 30; round++)
        {
            var sample = store.Get(Hash, 10, 1, random)!;
            Assert.Equal(10, sample.Distinct().Count());
            seen.UnionWith(sample.Select(p => p.Port));
        }
        Assert.True(seen.Count > 80, "every peer gets its chance to be handed out");
    }

    [Fact]
    public void RateLimiter_RefillsOverTime_AndForgetsIdleSources()
    {
        var limiter = new RateLimiter(ratePerSecond: 2, burst: 4, maxSources: 2);
        var a = IPEndPoint.Parse("192.0.2.1:1");
        Assert.Equal(4, Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(a, 0)));
        Assert.True(limiter.TryAcquire(a, 500));
        Assert.False(limiter.TryAcquire(a, 500));
        // Another port of the same public IP shares its budget; loopback ports are separate nodes.
        Assert.False(limiter.TryAcquire(IPEndPoint.Parse("192.0.2.1:2"), 500));
        Assert.True(limiter.TryAcquire(IPEndPoint.Parse("127.0.0.1:2"), 500));
        Assert.False(limiter.TryAcquire(IPEndPoint.Parse("192.0.2.3:1"), 500)); // table full of busy sources
        limiter.Prune(10_000);
        Assert.Equal(0, limiter.SourceCount);
        Assert.True(limiter.TryAcquire(IPEndPoint.Parse("192.0.2.3:1"), 10_000));
    }

    [Fact]
    public void ExternalAddressVoter_NeedsAgreementToMove()
    {
        var voter = new Ouinet.Dht.Engine.ExternalAddressVoter();
        var first = IPEndPoint.Parse("198.51.100.1:6881");
        var second = IPEndPoint.Parse("198.51.100.2:6881");
        Assert.True(voter.Vote(first, IPAddress.Parse("192.0.2.1")));
        Assert.False(voter.Vote(second, IPAddress.Parse("192.0.2.2")));
        Assert.False(voter.Vote(second, IPAddress.Parse("192.0.2.2"))); // the same voter twice is one vote
        Assert.False(voter.Vote(second, IPAddress.Parse("192.0.2.3")));
        Assert.True(voter.Vote(second, IPAddress.Parse("192.0.2.4")));
        Assert.Equal(second, voter.Current);
    }
}
