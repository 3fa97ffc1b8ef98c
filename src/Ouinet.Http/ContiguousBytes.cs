using System.Buffers;

namespace Ouinet.Http;

/// <summary>
/// A sequence as one span: the first segment itself when it holds everything (the usual case), else a pooled
/// copy. Heads and chunk lines are bounded by the limits, so the copy is too.
/// </summary>
internal ref struct ContiguousBytes
{
    private byte[]? _rented;

    public ContiguousBytes(in ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            Span = sequence.FirstSpan;
            return;
        }
        var length = checked((int)sequence.Length);
        _rented = ArrayPool<byte>.Shared.Rent(length);
        sequence.CopyTo(_rented);
        Span = _rented.AsSpan(0, length);
    }

    public ReadOnlySpan<byte> Span { get; private set; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
            Span = default;
        }
    }
}
