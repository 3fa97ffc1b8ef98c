using System.Buffers;
using System.Buffers.Binary;

namespace Ouinet.Overlay.Wire;

/// <summary>
/// The udp4 shim's data framing: a 4-byte big-endian endpoint id, then the SDU. EID 0 is the management endpoint
/// (<see cref="ShimMgmtMessage"/>). We draw EIDs at random (never 0) so that an off-path sender cannot guess one.
/// </summary>
public static class ShimFrame
{
    public const int HeaderSize = 4;
    public const uint ManagementEid = 0;

    public static void WriteHeader(Span<byte> destination, uint eid) => BinaryPrimitives.WriteUInt32BigEndian(destination, eid);

    public static bool TryReadEid(ref SequenceReader<byte> reader, out uint eid) => reader.TryReadU32(out eid);

    /// <summary>The EID of a datagram; throws <see cref="OverlayFormatError.Truncated"/> under 4 bytes.</summary>
    public static uint ReadEid(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderSize ? BinaryPrimitives.ReadUInt32BigEndian(datagram) : throw OverlayFormatException.Truncated("shim frame");
}

/// <summary>Codes of the shim's management messages.</summary>
public enum ShimMgmtCode : byte
{
    FlowRequest = 0,
    FlowReply = 1,
}

/// <summary>
/// The shim's management message on EID 0, 47 bytes packed as Ouroboros' <c>mgmt_msg</c> (the leading EID field is the
/// frame's own zero EID): <c>eid u32, s_eid u32, d_eid u32, response i32, bandwidth u64, delay u32, loss u32, ber u32,
/// max_gap u32, timeout u32, code u8, availability u8, in_order u8</c>, big-endian. A FLOW_REQ is followed by the MD5
/// hash of the destination name (16 bytes). No OAP data follows (we do not run OAP).
/// </summary>
public readonly record struct ShimMgmtMessage(ShimMgmtCode Code, uint SourceEid, uint DestinationEid, int Response, QosSpec Qos, byte[]? Hash)
{
    public const int FixedSize = 47;
    public const int HashSize = 16;

    public int Size => FixedSize + (Code == ShimMgmtCode.FlowRequest ? HashSize : 0);

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    public int Write(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.U32(ShimFrame.ManagementEid);
        w.U32(SourceEid);
        w.U32(DestinationEid);
        w.I32(Response);
        w.U64(Qos.Bandwidth);
        w.U32(Qos.Delay);
        w.U32(Qos.Loss);
        w.U32(Qos.Ber);
        w.U32(Qos.MaxGap);
        w.U32(Qos.Timeout);
        w.U8((byte)Code);
        w.U8(Qos.Availability);
        w.U8(Qos.InOrder ? (byte)1 : (byte)0);
        if (Code == ShimMgmtCode.FlowRequest)
        {
            if (Hash is not { Length: HashSize })
            {
                throw new InvalidOperationException("A FLOW_REQ carries a 16-byte name hash.");
            }
            w.Bytes(Hash);
        }
        return w.Written;
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out ShimMgmtMessage message)
    {
        message = default;
        var r = reader;
        if (!r.TryReadU32(out var eid) || !r.TryReadU32(out var sEid) || !r.TryReadU32(out var dEid) || !r.TryReadI32(out var response)
            || !r.TryReadU64(out var bandwidth) || !r.TryReadU32(out var delay) || !r.TryReadU32(out var loss) || !r.TryReadU32(out var ber)
            || !r.TryReadU32(out var maxGap) || !r.TryReadU32(out var timeout) || !r.TryReadU8(out var code) || !r.TryReadU8(out var availability)
            || !r.TryReadU8(out var inOrder))
        {
            return false;
        }
        if (eid != ShimFrame.ManagementEid)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, $"shim management message on EID {eid}, not 0");
        }
        if (code > (byte)ShimMgmtCode.FlowReply)
        {
            throw new OverlayFormatException(OverlayFormatError.UnknownCode, $"shim management code {code}");
        }
        if (inOrder > 1)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, $"in_order {inOrder} is not 0 or 1");
        }
        byte[]? hash = null;
        if (code == (byte)ShimMgmtCode.FlowRequest && !r.TryReadBytes(HashSize, out hash))
        {
            return false;
        }
        message = new ShimMgmtMessage((ShimMgmtCode)code, sEid, dEid, response, new QosSpec(delay, bandwidth, availability, loss, ber, inOrder == 1, maxGap, timeout), hash);
        reader = r;
        return true;
    }

    public static ShimMgmtMessage Parse(ReadOnlySpan<byte> datagram) => WireReader.ParseDatagram<ShimMgmtMessage>(datagram, "shim management message", TryRead);

    public bool Equals(ShimMgmtMessage other) =>
        Code == other.Code && SourceEid == other.SourceEid && DestinationEid == other.DestinationEid && Response == other.Response && Qos == other.Qos
        && (Hash ?? []).AsSpan().SequenceEqual(other.Hash ?? []);

    public override int GetHashCode() => HashCode.Combine(Code, SourceEid, DestinationEid, Response, Qos);
}
