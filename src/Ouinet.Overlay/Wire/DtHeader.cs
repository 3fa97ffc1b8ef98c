using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>
/// The unicast layer's data-transfer header, 15 bytes: <c>dst_addr u32, qos_cube u8, ttl u8, ecn u8, eid u64</c>.
/// No source address, length or checksum (as Ouroboros). Big-endian, where the reference copies host order.
/// </summary>
public readonly record struct DtHeader(uint DestinationAddress, QosCube Cube, byte Ttl, byte Ecn, ulong Eid)
{
    public const int Size = 15;
    public const byte DefaultMaxTtl = 60;

    public void Write(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.U32(DestinationAddress);
        w.U8((byte)Cube);
        w.U8(Ttl);
        w.U8(Ecn);
        w.U64(Eid);
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out DtHeader header)
    {
        header = default;
        var r = reader;
        if (!r.TryReadU32(out var dst) || !r.TryReadU8(out var cube) || !r.TryReadU8(out var ttl) || !r.TryReadU8(out var ecn) || !r.TryReadU64(out var eid))
        {
            return false;
        }
        if (cube > (byte)QosCube.Voice)
        {
            throw new OverlayFormatException(OverlayFormatError.BadQosCube, $"QoS cube {cube}");
        }
        header = new DtHeader(dst, (QosCube)cube, ttl, ecn, eid);
        reader = r;
        return true;
    }

    /// <summary>The header at the start of a packet (the payload follows it).</summary>
    public static DtHeader Parse(ReadOnlySpan<byte> packet) =>
        packet.Length < Size ? throw OverlayFormatException.Truncated("DT header")
        : WireReader.ParseDatagram<DtHeader>(packet[..Size], "DT header", TryRead);
}
