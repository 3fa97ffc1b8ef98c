using System.Buffers.Binary;

namespace Ouinet.Utp.Packets;

/// <summary>
/// The 20-byte BEP 29 header (all fields big-endian):
/// <c>type|ver, extension, connection_id, timestamp_microseconds, timestamp_difference_microseconds, wnd_size, seq_nr, ack_nr</c>.
/// </summary>
public readonly record struct UtpHeader(
    UtpPacketType Type,
    byte Extension,
    ushort ConnectionId,
    uint TimestampMicroseconds,
    uint TimestampDifferenceMicroseconds,
    uint WindowSize,
    ushort SeqNr,
    ushort AckNr)
{
    /// <summary>Size of the fixed header.</summary>
    public const int Size = 20;

    /// <summary>The only version BEP 29 defines.</summary>
    public const byte Version = 1;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("A uTP header needs 20 bytes.", nameof(destination));
        }
        destination[0] = (byte)(((int)Type << 4) | Version);
        destination[1] = Extension;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ConnectionId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], TimestampMicroseconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], TimestampDifferenceMicroseconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], WindowSize);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], SeqNr);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], AckNr);
    }

    /// <summary>Reads the fields without judging them (<see cref="UtpPacketReader"/> validates).</summary>
    internal static UtpHeader ReadUnchecked(ReadOnlySpan<byte> source) => new(
        (UtpPacketType)(source[0] >> 4),
        source[1],
        BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
        BinaryPrimitives.ReadUInt16BigEndian(source[16..]),
        BinaryPrimitives.ReadUInt16BigEndian(source[18..]));
}
