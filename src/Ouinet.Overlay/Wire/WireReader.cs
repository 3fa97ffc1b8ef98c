using System.Buffers;
using System.Buffers.Binary;

namespace Ouinet.Overlay.Wire;

/// <summary>
/// Big-endian field readers over a <see cref="SequenceReader{T}"/> that work across segments. Each returns false when
/// the bytes are not there yet; the codecs parse on a copy of the reader and commit it only on success, so a false
/// leaves the caller's reader where it was.
/// </summary>
internal static class WireReader
{
    public static bool TryReadU8(this ref SequenceReader<byte> reader, out byte value) => reader.TryRead(out value);

    public static bool TryReadU16(this ref SequenceReader<byte> reader, out ushort value)
    {
        var ok = reader.TryReadBigEndian(out short v);
        value = (ushort)v;
        return ok;
    }

    public static bool TryReadU24(this ref SequenceReader<byte> reader, out uint value)
    {
        Span<byte> b = stackalloc byte[3];
        value = 0;
        if (!reader.TryCopyTo(b))
        {
            return false;
        }
        reader.Advance(3);
        value = ((uint)b[0] << 16) | ((uint)b[1] << 8) | b[2];
        return true;
    }

    public static bool TryReadU32(this ref SequenceReader<byte> reader, out uint value)
    {
        var ok = reader.TryReadBigEndian(out int v);
        value = (uint)v;
        return ok;
    }

    public static bool TryReadI32(this ref SequenceReader<byte> reader, out int value) => reader.TryReadBigEndian(out value);

    public static bool TryReadU64(this ref SequenceReader<byte> reader, out ulong value)
    {
        var ok = reader.TryReadBigEndian(out long v);
        value = (ulong)v;
        return ok;
    }

    public static bool TryReadBytes(this ref SequenceReader<byte> reader, int count, out byte[] value)
    {
        value = [];
        if (reader.Remaining < count)
        {
            return false;
        }
        value = new byte[count];
        reader.TryCopyTo(value);
        reader.Advance(count);
        return true;
    }

    /// <summary>A string of at most 255 bytes behind a one-byte length.</summary>
    public static bool TryReadShortString(this ref SequenceReader<byte> reader, out string value)
    {
        value = "";
        if (!reader.TryReadU8(out var length) || !reader.TryReadBytes(length, out var bytes))
        {
            return false;
        }
        try
        {
            value = StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, "a name is not UTF-8");
        }
        return true;
    }

    public static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Runs a whole-datagram parse: a datagram that ends early is <see cref="OverlayFormatError.Truncated"/>.</summary>
    public static T ParseDatagram<T>(ReadOnlySpan<byte> datagram, string what, TryParser<T> parse, bool exact = true)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(datagram.ToArray()));
        if (!parse(ref reader, out var value))
        {
            throw OverlayFormatException.Truncated(what);
        }
        if (exact && !reader.End)
        {
            throw new OverlayFormatException(OverlayFormatError.TrailingData, $"{what}: {reader.Remaining} bytes after the message");
        }
        return value;
    }

    public delegate bool TryParser<T>(ref SequenceReader<byte> reader, out T value);
}

/// <summary>Big-endian writers over a span cursor.</summary>
internal ref struct WireWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Written { get; private set; }

    public void U8(byte value) => _destination[Written++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Written..], value);
        Written += 2;
    }

    public void U24(uint value)
    {
        _destination[Written] = (byte)(value >> 16);
        _destination[Written + 1] = (byte)(value >> 8);
        _destination[Written + 2] = (byte)value;
        Written += 3;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Written..], value);
        Written += 4;
    }

    public void I32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_destination[Written..], value);
        Written += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[Written..], value);
        Written += 8;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[Written..]);
        Written += value.Length;
    }

    public Span<byte> RemainingSpan()
    {
        var span = _destination[Written..];
        return span;
    }

    public void Skip(int count) => Written += count;

    public void ShortString(string value)
    {
        var n = WireReader.StrictUtf8.GetBytes(value, _destination[(Written + 1)..]);
        _destination[Written] = checked((byte)n);
        Written += 1 + n;
    }
}

internal static class WireWriterExtensions
{
    /// <summary>The rest of the writer's span, for a nested fixed-size writer; the caller advances with <see cref="WireWriter.Skip"/>.</summary>
    public static Span<byte> Remaining(this ref WireWriter w) => w.RemainingSpan();
}
