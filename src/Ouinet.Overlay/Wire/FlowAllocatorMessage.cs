using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>Codes of the flow allocator's messages.</summary>
public enum FlowAllocatorCode : byte
{
    FlowRequest = 0,
    FlowReply = 1,
    FlowUpdate = 2,
}

/// <summary>
/// The unicast flow allocator's <c>fa_msg</c>, 61 bytes packed, big-endian: <c>s_addr u64, r_eid u64, s_eid u64,
/// bandwidth u64, response i32, delay u32, loss u32, ber u32, max_gap u32, timeout u32, ece u16, code u8,
/// availability u8, in_order u8</c>. A FLOW_REQ is followed by the destination name's hash (SHA3-256, 32 bytes);
/// FLOW_UPDATE carries the MB-ECN <c>ece</c>.
/// </summary>
public readonly record struct FlowAllocatorMessage(FlowAllocatorCode Code, ulong SourceAddress, ulong RemoteEid, ulong SourceEid, int Response, QosSpec Qos, ushort Ece, byte[]? Hash)
{
    public const int FixedSize = 61;
    public const int HashSize = 32;

    public int Size => FixedSize + (Code == FlowAllocatorCode.FlowRequest ? HashSize : 0);

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    public int Write(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.U64(SourceAddress);
        w.U64(RemoteEid);
        w.U64(SourceEid);
        w.U64(Qos.Bandwidth);
        w.I32(Response);
        w.U32(Qos.Delay);
        w.U32(Qos.Loss);
        w.U32(Qos.Ber);
        w.U32(Qos.MaxGap);
        w.U32(Qos.Timeout);
        w.U16(Ece);
        w.U8((byte)Code);
        w.U8(Qos.Availability);
        w.U8(Qos.InOrder ? (byte)1 : (byte)0);
        if (Code == FlowAllocatorCode.FlowRequest)
        {
            if (Hash is not { Length: HashSize })
            {
                throw new InvalidOperationException("A FLOW_REQ carries a 32-byte name hash.");
            }
            w.Bytes(Hash);
        }
        return w.Written;
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out FlowAllocatorMessage message)
    {
        message = default;
        var r = reader;
        if (!r.TryReadU64(out var sAddr) || !r.TryReadU64(out var rEid) || !r.TryReadU64(out var sEid) || !r.TryReadU64(out var bandwidth)
            || !r.TryReadI32(out var response) || !r.TryReadU32(out var delay) || !r.TryReadU32(out var loss) || !r.TryReadU32(out var ber)
            || !r.TryReadU32(out var maxGap) || !r.TryReadU32(out var timeout) || !r.TryReadU16(out var ece) || !r.TryReadU8(out var code)
            || !r.TryReadU8(out var availability) || !r.TryReadU8(out var inOrder))
        {
            return false;
        }
        if (code > (byte)FlowAllocatorCode.FlowUpdate)
        {
            throw new OverlayFormatException(OverlayFormatError.UnknownCode, $"flow allocator code {code}");
        }
        if (inOrder > 1)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, $"in_order {inOrder} is not 0 or 1");
        }
        byte[]? hash = null;
        if (code == (byte)FlowAllocatorCode.FlowRequest && !r.TryReadBytes(HashSize, out hash))
        {
            return false;
        }
        message = new FlowAllocatorMessage((FlowAllocatorCode)code, sAddr, rEid, sEid, response,
            new QosSpec(delay, bandwidth, availability, loss, ber, inOrder == 1, maxGap, timeout), ece, hash);
        reader = r;
        return true;
    }

    public static FlowAllocatorMessage Parse(ReadOnlySpan<byte> datagram) => WireReader.ParseDatagram<FlowAllocatorMessage>(datagram, "flow allocator message", TryRead);

    public bool Equals(FlowAllocatorMessage other) =>
        Code == other.Code && SourceAddress == other.SourceAddress && RemoteEid == other.RemoteEid && SourceEid == other.SourceEid
        && Response == other.Response && Qos == other.Qos && Ece == other.Ece && (Hash ?? []).AsSpan().SequenceEqual(other.Hash ?? []);

    public override int GetHashCode() => HashCode.Combine(Code, SourceAddress, RemoteEid, SourceEid, Response, Qos, Ece);
}
