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
}
