using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>
/// A DATA or FIN packet from the time it is written until it is acknowledged: the buffer holds the header (rewritten
/// on every transmission, so timestamps and ACKs are fresh) and the payload, and doubles as the retransmission copy.
/// </summary>
internal sealed class OutgoingPacket(byte[] buffer)
{
    public byte[] Buffer { get; } = buffer;

    public UtpPacketType Type;
    public ushort SeqNr;
    public int PayloadLength;

    /// <summary>Transmissions so far; an RTT sample is only taken from a packet sent once (Karn).</summary>
    public int Transmissions;

    /// <summary>When it was last put on the wire (µs).</summary>
    public long SentAtMicros;

    /// <summary>Position of its last transmission among all of the connection's transmissions (for RACK-style loss detection).</summary>
    public long TxOrder;

    /// <summary>Counted in the bytes in flight (sent and neither acknowledged nor declared lost).</summary>
    public bool InFlight;

    /// <summary>Declared lost; goes out again before any new data.</summary>
    public bool NeedResend;

    /// <summary>Sends the socket has not finished with yet (the kernel buffer was full); the buffer must not be reused until 0.</summary>
    public int PendingSends;

    public int Size => UtpHeader.Size + PayloadLength;

    public Span<byte> Payload => Buffer.AsSpan(UtpHeader.Size, PayloadLength);

    public void Reset(UtpPacketType type, ushort seqNr)
    {
        Type = type;
        SeqNr = seqNr;
        PayloadLength = 0;
        Transmissions = 0;
        SentAtMicros = 0;
        TxOrder = 0;
        InFlight = false;
        NeedResend = false;
    }
}
