using Microsoft.Extensions.Logging;
using Ouinet.Client.Upstream;
using Ouinet.Dht;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// Each round (<see cref="DistributedCacheTimings.BridgeAnnounceInterval"/>, sooner after a failure) checks that the
/// injector answers a direct TLS connection (pinned: authentic; never through a bridge) and then announces this client in
/// <c>ed25519:&lt;key&gt;/v6/bridges</c>, unless <c>disable-bridge-announcement</c>. The check runs either way: its
/// success makes the connector prefer the direct route again.
/// </summary>
internal sealed class BridgeAnnouncer(DistributedCacheService owner)
{
    private readonly SwarmName _swarm = SwarmName.Bridges(owner.Key, ProtocolVersion.Current);
    private volatile bool _announced;

    /// <summary>Whether the last round announced us as a bridge.</summary>
    public bool IsAnnounced => _announced;

    public async Task RunAsync(InjectorConnector injector, CancellationToken cancellationToken)
    {
        var timings = owner.Options.DistributedCacheTimings;
        var disabled = owner.Options.DisableBridgeAnnouncement;
        if (!injector.CanBridge)
        {
            Log.NotABridge(owner.Logger, "the injector is reached without TLS (no injector-tls-cert-file), and a bridge carries TLS only");
            return;
        }
        if (disabled)
        {
            Log.NotABridge(owner.Logger, "disable-bridge-announcement");
        }
        try
        {
            await owner.Dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = timings.BridgeRetryInterval;
                try
                {
                    await injector.CheckDirectAsync(cancellationToken).ConfigureAwait(false);
                    wait = timings.BridgeAnnounceInterval;
                    if (!disabled)
                    {
                        Log.AnnouncingAsBridge(owner.Logger, _swarm.Name);
                        var result = await owner.Dht.AnnounceAsync(new InfoHash(_swarm.InfoHash), null, cancellationToken).ConfigureAwait(false);
                        _announced = result.Succeeded;
                        if (result.Succeeded)
                        {
                            Log.AnnouncedAsBridge(owner.Logger, result.NodesAccepted);
                        }
                        else
                        {
                            wait = timings.BridgeRetryInterval;
                        }
                    }
                }
                catch (InjectorUnreachableException e)
                {
                    // BEP 5 has no unannounce: an earlier announce expires from the DHT on its own.
                    _announced = false;
                    if (!disabled)
                    {
                        Log.NotABridge(owner.Logger, "no direct connection to the injector: " + e.Message);
                    }
                }
                await Task.Delay(wait, owner.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
        }
    }
}
