using System.Net;

namespace Ouinet.Client;

/// <summary>
/// What the distributed cache (DHT, announcements, peer fetch and serving) tells the front-end. The client holds one in
/// <see cref="OuinetClient.DistributedCache"/> when the distributed cache runs; the front-end shows "distributed cache
/// not enabled" while it is null. <see cref="GetSnapshot"/> is called from the front-end's threads every few seconds:
/// it must be cheap and thread-safe.
/// </summary>
public interface IDistributedCacheStatus
{
    DistributedCacheSnapshot GetSnapshot();
}

/// <summary>
/// The distributed cache at one moment. Counters are totals since start (the front-end plots their differences).
/// </summary>
/// <param name="Bootstrapped">The DHT found its place (a lookup succeeded recently); false makes the client "degraded".</param>
/// <param name="RoutingTableSize">Nodes in the DHT routing table.</param>
/// <param name="PublicEndPoint">Our UDP endpoint as other nodes see it (BEP 42 <c>ip</c>), when known.</param>
/// <param name="LocalEndPoint">The UDP socket shared by the DHT and uTP.</param>
/// <param name="AnnouncedGroups">The groups currently announced in the DHT.</param>
/// <param name="BytesToPeers">Body bytes served to other clients.</param>
/// <param name="BytesFromPeers">Body bytes fetched from other clients (verified).</param>
/// <param name="LookupsSucceeded">DHT lookups (get_peers) that found peers.</param>
/// <param name="LookupsFailed">DHT lookups that found none or failed.</param>
/// <param name="BridgeAnnouncement">This client would announce itself as a bridge (TLS to the injector pinned, no <c>disable-bridge-announcement</c>).</param>
/// <param name="AnnouncedAsBridge">The last round found the injector directly and announced us in the bridges swarm.</param>
/// <param name="BytesBridged">Bytes relayed (both ways) between other clients and the injector.</param>
public sealed record DistributedCacheSnapshot(
    bool Bootstrapped,
    int RoutingTableSize,
    IPEndPoint? PublicEndPoint,
    IPEndPoint? LocalEndPoint,
    IReadOnlyList<string> AnnouncedGroups,
    long BytesToPeers,
    long BytesFromPeers,
    long LookupsSucceeded,
    long LookupsFailed,
    bool BridgeAnnouncement = false,
    bool AnnouncedAsBridge = false,
    long BytesBridged = 0);
