using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>
/// A link-state advertisement, 24 bytes, big-endian: <c>d_addr u64, s_addr u64, seqno u64</c>: "s_addr has an
/// adjacency to d_addr". Deviation: the top bit of <c>seqno</c> marks a withdrawal, flooded when the adjacency goes
/// down, so that members far away drop the link at once instead of after <c>t_timeo</c>.
/// </summary>
public readonly record struct Lsa(ulong DestinationAddress, ulong SourceAddress, ulong SeqNo)
{
    public const int Size = 24;
    public const ulong WithdrawnBit = 1UL << 63;

    public bool IsWithdrawal => (SeqNo & WithdrawnBit) != 0;

    /// <summary>The sequence number without the withdrawal bit (what "newer" compares).</summary>
    public ulong Sequence => SeqNo & ~WithdrawnBit;

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    public void Write(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.U64(DestinationAddress);
        w.U64(SourceAddress);
        w.U64(SeqNo);
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out Lsa lsa)
    {
        lsa = default;
        var r = reader;
        if (!r.TryReadU64(out var d) || !r.TryReadU64(out var s) || !r.TryReadU64(out var seq))
        {
            return false;
        }
        if (d == s)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, $"LSA from {s:x} to itself");
        }
        lsa = new Lsa(d, s, seq);
        reader = r;
        return true;
    }

    public static Lsa Parse(ReadOnlySpan<byte> datagram) => WireReader.ParseDatagram<Lsa>(datagram, "LSA", TryRead);
}
