namespace Ouinet.Utp;

/// <summary>Counters of one connection, as <c>ouinet utp</c> prints them.</summary>
public readonly record struct UtpConnectionStatistics(
    long BytesSent,
    long BytesReceived,
    long PacketsSent,
    long PacketsReceived,
    long Retransmissions,
    long FastRetransmissions,
    long Timeouts,
    TimeSpan SmoothedRtt,
    TimeSpan MinRtt,
    int CongestionWindow,
    int PeerWindow,
    int PacketSize);

/// <summary>Counters of a socket: what it dropped or refused, and why.</summary>
public readonly record struct UtpSocketStatistics(
    long MalformedPackets,
    long UnknownConnectionPackets,
    long OutOfWindowPackets,
    long ResetsSent,
    long RefusedConnections,
    int Connections);
