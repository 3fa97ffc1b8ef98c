namespace Ouinet.Utp.Packets;

/// <summary>Why a datagram is not a uTP packet we can act on.</summary>
public enum UtpPacketError
{
    None,

    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,

    /// <summary>The version nibble is not 1.</summary>
    BadVersion,

    /// <summary>The type nibble is not one of ST_DATA … ST_SYN.</summary>
    BadType,

    /// <summary>An extension's 2-byte head or its announced length runs past the end of the datagram.</summary>
    TruncatedExtension,

    /// <summary>More than <see cref="UtpPacketReader.MaxExtensions"/> extensions: no peer sends that many.</summary>
    TooManyExtensions,
}

/// <summary>A parsed packet; its spans point into the datagram and live only as long as it does.</summary>
public readonly ref struct UtpPacket
{
    public UtpPacket(UtpHeader header, ReadOnlySpan<byte> selectiveAck, ReadOnlySpan<byte> payload, uint datagramLimit = 0)
    {
        Header = header;
        SelectiveAck = selectiveAck;
        Payload = payload;
        DatagramLimit = datagramLimit;
    }

    public UtpHeader Header { get; }

    /// <summary>The selective-ACK bitmask (empty when absent): bit i of byte j stands for <c>ack_nr + 2 + 8j + i</c>.</summary>
    public ReadOnlySpan<byte> SelectiveAck { get; }

    /// <summary>Bytes after the extension chain. Only ST_DATA payload is ever delivered.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The peer's <see cref="UtpExtension.DatagramLimit"/> (0 when absent).</summary>
    public uint DatagramLimit { get; }

    public UtpPacketType Type => Header.Type;
}

/// <summary>
/// Parses one datagram as a BEP 29 packet. A datagram is always whole, so this works on a span rather than a
/// <c>SequenceReader</c>; every length it reads is checked against the datagram before use.
/// </summary>
public static class UtpPacketReader
{
    /// <summary>Longest extension chain accepted (BEP 29 defines one extension, libtorrent adds one).</summary>
    public const int MaxExtensions = 8;

    /// <summary>Parses <paramref name="datagram"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out UtpPacket packet, out UtpPacketError error)
    {
        packet = default;
        if (datagram.Length < UtpHeader.Size)
        {
            error = UtpPacketError.TooShort;
            return false;
        }
        if ((datagram[0] & 0x0F) != UtpHeader.Version)
        {
            error = UtpPacketError.BadVersion;
            return false;
        }
        if (datagram[0] >> 4 > (int)UtpPacketType.Syn)
        {
            error = UtpPacketError.BadType;
            return false;
        }
        var header = UtpHeader.ReadUnchecked(datagram);
        var selectiveAck = ReadOnlySpan<byte>.Empty;
        var datagramLimit = 0u;
        var position = UtpHeader.Size;
        var extension = header.Extension;
        for (var count = 0; extension != UtpExtension.None; count++)
        {
            if (count == MaxExtensions)
            {
                error = UtpPacketError.TooManyExtensions;
                return false;
            }
            if (datagram.Length - position < 2)
            {
                error = UtpPacketError.TruncatedExtension;
                return false;
            }
            var next = datagram[position];
            var length = datagram[position + 1];
            position += 2;
            if (datagram.Length - position < length)
            {
                error = UtpPacketError.TruncatedExtension;
                return false;
            }
            // BEP 29 asks for a multiple of 4 bytes, but libtorrent sends (span + 7) / 8: take any length.
            if (extension == UtpExtension.SelectiveAck && selectiveAck.IsEmpty)
            {
                selectiveAck = datagram.Slice(position, length);
            }
            else if (extension == UtpExtension.DatagramLimit && length == 4)
            {
                datagramLimit = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(position, 4));
            }
            position += length;
            extension = next;
        }
        packet = new UtpPacket(header, selectiveAck, datagram[position..], datagramLimit);
        error = UtpPacketError.None;
        return true;
    }
}
