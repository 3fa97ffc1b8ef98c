using System.Net;
using System.Runtime.CompilerServices;
using Ouinet.Client.Upstream;
using Ouinet.Dht;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// With no <c>injector-ep</c>: the injector is looked up in the DHT swarm <c>ed25519:&lt;key&gt;/v6/injectors</c>, where an
/// injector with <c>listen-on-utp-tls</c> announces its uTP endpoint. As in C++ Ouinet, the last endpoint that worked comes
/// first, then the swarm's peers in random order (anyone can announce there: pinned TLS tells which is the injector).
/// </summary>
internal sealed class DhtInjectorLocator(DistributedCacheService owner) : IInjectorLocator
{
    private readonly SwarmName _swarm = SwarmName.Injectors(owner.Key, ProtocolVersion.Current);
    private IPEndPoint? _last;

    public string Description => $"the DHT swarm {_swarm.Name}";

    public async IAsyncEnumerable<IPEndPoint> FindAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null)
        {
            yield return last;
        }
        await owner.Dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
        // The whole lookup first, to shuffle it: the first peers found are no likelier to be the injector.
        var found = new List<IPEndPoint>();
        await foreach (var peer in owner.Dht.GetPeersAsync(new InfoHash(_swarm.InfoHash), cancellationToken).ConfigureAwait(false))
        {
            if (!peer.Equals(last) && !found.Contains(peer))
            {
                found.Add(peer);
            }
        }
        var shuffled = found.ToArray();
        Random.Shared.Shuffle(shuffled);
        foreach (var peer in shuffled)
        {
            yield return peer;
        }
    }

    public void Worked(IPEndPoint endPoint)
    {
        if (!endPoint.Equals(Interlocked.Exchange(ref _last, endPoint)))
        {
            Log.InjectorFound(owner.Logger, _swarm.Name, endPoint);
        }
    }

    public void Failed(IPEndPoint endPoint, string reason)
    {
        Interlocked.CompareExchange(ref _last, null, endPoint);
        Log.InjectorCandidateFailed(owner.Logger, endPoint, reason);
    }
}
