using System.Net;
using Ouinet.Client.Upstream;
using Ouinet.Dht;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// With no <c>injector-ep</c>: the injector is looked up in the DHT swarm <c>ed25519:&lt;key&gt;/v6/injectors</c>, where an
/// injector with <c>listen-on-utp-tls</c> announces its uTP endpoint; the first peer found is used until it cannot be reached.
/// </summary>
internal sealed class DhtInjectorLocator(DistributedCacheService owner) : IInjectorLocator
{
    private readonly SwarmName _swarm = SwarmName.Injectors(owner.Key, ProtocolVersion.Current);
    private IPEndPoint? _known;

    public string Description => $"the DHT swarm {_swarm.Name}";

    public async Task<IPEndPoint> LocateAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _known) is { } known)
        {
            return known;
        }
        await owner.Dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var peer in owner.Dht.GetPeersAsync(new InfoHash(_swarm.InfoHash), cancellationToken).ConfigureAwait(false))
        {
            Log.InjectorFound(owner.Logger, _swarm.Name, peer);
            Volatile.Write(ref _known, peer);
            return peer;
        }
        throw new InjectorUnreachableException($"No injector in {Description}.");
    }

    public void Failed(IPEndPoint endPoint) => Interlocked.CompareExchange(ref _known, null, endPoint);
}
