using System.Buffers;

namespace Ouinet.Testing;

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s split at chosen places, to test parsers on every segmentation.</summary>
public static class Sequences
{
    /// <summary>A sequence whose segments end at the given cut points (ascending offsets into <paramref name="data"/>).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params int[] cuts)
    {
        if (cuts.Length == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }
        Segment? first = null, last = null;
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            var piece = data[start..cut];
            start = cut;
            if (first is null)
            {
                first = last = new Segment(piece, 0);
            }
            else
            {
                last = last!.Append(piece);
            }
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>A sequence with one segment per byte: the worst case for a parser that assumes contiguous input.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlyMemory<byte> data) =>
        data.Length <= 1 ? new ReadOnlySequence<byte>(data) : Split(data, [.. Enumerable.Range(1, data.Length - 1)]);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
