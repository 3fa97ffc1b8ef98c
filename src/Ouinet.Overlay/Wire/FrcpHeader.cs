using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>FRCP header flags (Ouroboros 0.23 values).</summary>
[Flags]
public enum FrcpFlags : byte
{
    None = 0,
    Data = 0x01,

    /// <summary>Data-run flag: first packet of a run, nothing outstanding before it.</summary>
    DataRun = 0x02,
    Ack = 0x04,

    /// <summary>Flow control: the window field is valid.</summary>
    FlowControl = 0x08,

    /// <summary>Rendezvous: the sender hit a closed window and asks for the window again.</summary>
    Rendezvous = 0x10,
    FirstFragment = 0x20,
    MoreFragments = 0x40,
}

/// <summary>
/// The FRCP header, 12 bytes, big-endian: <c>flags u8, window u24 (right window edge), seqno u32, ackno u32</c>.
/// Fragment flags are defined but, as in Ouroboros 0.23, not implemented: we refuse packets that carry them.
/// </summary>
public readonly record struct FrcpHeader(FrcpFlags Flags, uint Window, uint SeqNo, uint AckNo)
{
    public const int Size = 12;
    public const uint WindowMask = 0xFFFFFF;
    private const FrcpFlags Known = FrcpFlags.Data | FrcpFlags.DataRun | FrcpFlags.Ack | FrcpFlags.FlowControl | FrcpFlags.Rendezvous;

    public void Write(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.U8((byte)Flags);
        w.U24(Window & WindowMask);
        w.U32(SeqNo);
        w.U32(AckNo);
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out FrcpHeader header)
    {
        header = default;
        var r = reader;
        if (!r.TryReadU8(out var flags) || !r.TryReadU24(out var window) || !r.TryReadU32(out var seqNo) || !r.TryReadU32(out var ackNo))
        {
            return false;
        }
        if ((flags & ~(byte)Known) != 0)
        {
            throw new OverlayFormatException(OverlayFormatError.BadFlags, $"FRCP flags 0x{flags:x2}: fragments and undefined bits are not supported");
        }
        header = new FrcpHeader((FrcpFlags)flags, window, seqNo, ackNo);
        reader = r;
        return true;
    }

    /// <summary>The header at the start of an SDU (the payload follows it).</summary>
    public static FrcpHeader Parse(ReadOnlySpan<byte> sdu) =>
        sdu.Length < Size ? throw OverlayFormatException.Truncated("FRCP header")
        : WireReader.ParseDatagram<FrcpHeader>(sdu[..Size], "FRCP header", TryRead);
}
