using System.Net;
using System.Runtime.CompilerServices;
using Ouinet.Client.Upstream;
using Ouinet.Dht;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// The bridges of the DHT swarm <c>ed25519:&lt;key&gt;/v6/bridges</c> (other clients that reach the injector and relay
/// <c>CONNECT</c> to it): the last one that worked first, then the lookup's, our own endpoint skipped.
/// </summary>
internal sealed class DhtBridges(DistributedCacheService owner) : IInjectorBridges
{
    private readonly SwarmName _swarm = SwarmName.Bridges(owner.Key, ProtocolVersion.Current);
    private IPEndPoint? _last;

    public string Description => $"the DHT swarm {_swarm.Name}";

    public async IAsyncEnumerable<IPEndPoint> FindAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HashSet<IPEndPoint> tried = [owner.LocalEndPoint];
        if (owner.PublicEndPoint is { } publicEndPoint)
        {
            tried.Add(publicEndPoint);
        }
        if (Volatile.Read(ref _last) is { } last && tried.Add(last))
        {
            yield return last;
        }
        await owner.Dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var peer in owner.Dht.GetPeersAsync(new InfoHash(_swarm.InfoHash), cancellationToken).ConfigureAwait(false))
        {
            if (tried.Add(peer))
            {
                yield return peer;
            }
        }
    }

    public void Worked(IPEndPoint bridge)
    {
        if (!bridge.Equals(Interlocked.Exchange(ref _last, bridge)))
        {
            Log.ThroughBridge(owner.Logger, bridge);
        }
    }

    public void Failed(IPEndPoint bridge, string reason)
    {
        Interlocked.CompareExchange(ref _last, null, bridge);
        Log.BridgeFailed(owner.Logger, bridge, reason);
    }
}
