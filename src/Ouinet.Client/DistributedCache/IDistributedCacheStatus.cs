using System.Net;

namespace Ouinet.Client;

/// <summary>
/// What the distributed cache shows to the front-end (<see cref="OuinetClient.DistributedCache"/>): the DHT's state, the
/// groups announced, the traffic with other clients, and the run-time switch of fetching from them. Read-only apart from
/// <see cref="SetEnabled"/>; every member is safe to call from any thread.
/// </summary>
public interface IDistributedCacheStatus
{
    /// <summary>Whether the client fetches from other clients (the front-end's "Distributed Cache" toggle). Announcing and serving go on either way.</summary>
    bool IsEnabled { get; }

    /// <summary>Switches fetching from other clients on or off.</summary>
    void SetEnabled(bool enabled);

    /// <summary>The DHT joined the network (a bootstrap round put nodes in the routing table).</summary>
    bool IsBootstrapped { get; }

    /// <summary>Nodes in the DHT routing table.</summary>
    int RoutingTableSize { get; }

    /// <summary>The local UDP endpoint shared by the DHT and uTP.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Our endpoint as other DHT nodes see it (BEP 42 <c>ip</c>); null until one told us.</summary>
    IPEndPoint? PublicEndPoint { get; }

    /// <summary>The groups whose last announce reached some DHT node.</summary>
    IReadOnlyCollection<string> AnnouncedGroups { get; }

    /// <summary>The groups the store holds and that are (or are about to be) announced.</summary>
    int GroupsToAnnounce { get; }

    /// <summary>Body and head bytes sent to other clients by the peer server.</summary>
    long BytesServed { get; }

    /// <summary>Bytes received from other clients while fetching entries.</summary>
    long BytesFetched { get; }

    /// <summary>Entries served to peers (responses other than 404).</summary>
    long EntriesServed { get; }

    /// <summary>Entries fetched from peers, verified.</summary>
    long EntriesFetched { get; }

    /// <summary>Peer responses rejected (did not verify, truncated, wrong key, wrong URI).</summary>
    long PeersRejected { get; }

    /// <summary>Peer connections open to our server now.</summary>
    int PeerConnections { get; }
}
