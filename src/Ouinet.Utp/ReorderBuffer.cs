using System.Buffers;

namespace Ouinet.Utp;

/// <summary>
/// Payloads that arrived ahead of a gap, by sequence number, until the gap is filled. The ring has a fixed number of
/// slots (a packet further ahead than that is out of window and dropped) and its bytes count against the receive window.
/// </summary>
internal sealed class ReorderBuffer
{
    private readonly byte[]?[] _buffers;
    private readonly int[] _lengths;
    private readonly ushort[] _seqNrs;
    private readonly int _mask;

    public ReorderBuffer(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _buffers = new byte[]?[size];
        _lengths = new int[size];
        _seqNrs = new ushort[size];
        _mask = size - 1;
    }

    /// <summary>How far past <c>ack_nr</c> a packet may be and still be kept.</summary>
    public int Capacity => _mask;

    public int Count { get; private set; }

    public int Bytes { get; private set; }

    /// <summary>The highest sequence number held (valid when <see cref="Count"/> &gt; 0).</summary>
    public ushort Highest { get; private set; }

    public bool Contains(ushort seqNr)
    {
        var i = seqNr & _mask;
        return _buffers[i] is not null && _seqNrs[i] == seqNr;
    }

    /// <summary>Keeps a copy of <paramref name="payload"/>; false when that sequence number is already held.</summary>
    public bool TryAdd(ushort seqNr, ReadOnlySpan<byte> payload)
    {
        var i = seqNr & _mask;
        if (_buffers[i] is not null)
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1));
        payload.CopyTo(buffer);
        _buffers[i] = buffer;
        _lengths[i] = payload.Length;
        _seqNrs[i] = seqNr;
        if (Count == 0 || SeqNr.Less(Highest, seqNr))
        {
            Highest = seqNr;
        }
        Count++;
        Bytes += payload.Length;
        return true;
    }

    /// <summary>Removes the payload held for <paramref name="seqNr"/>; the caller returns the buffer to the shared pool.</summary>
    public bool TryTake(ushort seqNr, out byte[] buffer, out int length)
    {
        var i = seqNr & _mask;
        if (_buffers[i] is not { } held || _seqNrs[i] != seqNr)
        {
            buffer = [];
            length = 0;
            return false;
        }
        buffer = held;
        length = _lengths[i];
        _buffers[i] = null;
        Count--;
        Bytes -= length;
        return true;
    }

    /// <summary>Writes the selective-ACK bitmask for what is held past <paramref name="ackNr"/> + 1.</summary>
    public void WriteSelectiveAck(ushort ackNr, Span<byte> bitmask)
    {
        bitmask.Clear();
        for (var bit = 0; bit < bitmask.Length * 8; bit++)
        {
            if (Contains(SeqNr.Add(ackNr, bit + 2)))
            {
                bitmask[bit >> 3] |= (byte)(1 << (bit & 7));
            }
        }
    }

    public void Clear()
    {
        for (var i = 0; i < _buffers.Length; i++)
        {
            if (_buffers[i] is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _buffers[i] = null;
            }
        }
        Count = 0;
        Bytes = 0;
    }
}
