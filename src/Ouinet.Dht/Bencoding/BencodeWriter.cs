using System.Buffers.Text;

namespace Ouinet.Dht.Bencoding;

/// <summary>
/// Writes bencode into a caller's buffer. It refuses to write a dictionary key that is not greater than the previous
/// key of the same dictionary, so whatever it produces is canonical; a caller writing keys out of order is a bug.
/// </summary>
public ref struct BencodeWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _depth;
    private Levels _levels;

    public BencodeWriter(Span<byte> buffer) => _buffer = buffer;

    public readonly int BytesWritten => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void WriteInteger(long value)
    {
        Put((byte)'i');
        if (!Utf8Formatter.TryFormat(value, _buffer[_position..], out var written))
        {
            throw Overflow();
        }
        _position += written;
        Put((byte)'e');
    }

    public void WriteString(scoped ReadOnlySpan<byte> value)
    {
        if (!Utf8Formatter.TryFormat(value.Length, _buffer[_position..], out var written))
        {
            throw Overflow();
        }
        _position += written;
        Put((byte)':');
        if (!value.TryCopyTo(_buffer[_position..]))
        {
            throw Overflow();
        }
        _position += value.Length;
    }

    /// <summary>Writes a key of the current dictionary; keys must come in strictly ascending byte order.</summary>
    public void WriteKey(scoped ReadOnlySpan<byte> key)
    {
        if (_depth == 0 || !_levels[_depth - 1].IsDictionary)
        {
            throw new InvalidOperationException("A key can only be written inside a dictionary.");
        }
        ref var level = ref _levels[_depth - 1];
        if (level.LastKeyStart >= 0 && _buffer.Slice(level.LastKeyStart, level.LastKeyLength).SequenceCompareTo(key) >= 0)
        {
            throw new InvalidOperationException($"Dictionary key \"{System.Text.Encoding.Latin1.GetString(key)}\" is out of order or repeated.");
        }
        WriteString(key);
        level.LastKeyStart = _position - key.Length;
        level.LastKeyLength = key.Length;
    }

    public void WriteListStart() => Open(isDictionary: false);

    public void WriteDictionaryStart() => Open(isDictionary: true);

    public void WriteEnd()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("No open list or dictionary.");
        }
        Put((byte)'e');
        _depth--;
    }

    private void Open(bool isDictionary)
    {
        if (_depth >= BencodeLimits.AbsoluteMaxDepth)
        {
            throw new InvalidOperationException("Nesting too deep.");
        }
        Put(isDictionary ? (byte)'d' : (byte)'l');
        _levels[_depth++] = new Level { IsDictionary = isDictionary, LastKeyStart = -1 };
    }

    private void Put(byte b)
    {
        if (_position >= _buffer.Length)
        {
            throw Overflow();
        }
        _buffer[_position++] = b;
    }

    private static InvalidOperationException Overflow() => new("The bencode output buffer is too small.");

    private struct Level
    {
        public bool IsDictionary;
        public int LastKeyStart;
        public int LastKeyLength;
    }

    [System.Runtime.CompilerServices.InlineArray(BencodeLimits.AbsoluteMaxDepth)]
    private struct Levels
    {
        private Level _element;
    }
}
