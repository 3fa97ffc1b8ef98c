using System.Net;

namespace Ouinet.Dht;

/// <summary>How an announce went: how many of the closest nodes took it, and the peers the lookup met on the way.</summary>
public sealed record DhtAnnounceResult(int NodesAnnouncedTo, int NodesAccepted, IReadOnlyList<IPEndPoint> PeersFound)
{
    /// <summary>At least one node stored us: others can find us.</summary>
    public bool Succeeded => NodesAccepted > 0;
}
