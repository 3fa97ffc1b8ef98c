namespace Ouinet.Utp.Packets;

/// <summary>Extension types in the header's extension chain.</summary>
public static class UtpExtension
{
    /// <summary>End of the chain.</summary>
    public const byte None = 0;

    /// <summary>Selective ACK (BEP 29): a bitmask of packets received past <c>ack_nr + 1</c>.</summary>
    public const byte SelectiveAck = 1;

    /// <summary>libtorrent's close reason (4 bytes); read past, never acted on.</summary>
    public const byte CloseReason = 3;

    /// <summary>
    /// Ours (not in BEP 29): in a SYN, or the ST_STATE answering one, the largest UDP payload the sender can receive
    /// (4 bytes, big-endian). libtorrent reads datagrams into 1500 bytes, so larger packets are only ever sent to a
    /// peer that announced this, and only over loopback. Other implementations skip unknown extensions.
    /// </summary>
    public const byte DatagramLimit = 0x4F;
}
