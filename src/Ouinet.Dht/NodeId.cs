using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Ouinet.Dht;

/// <summary>
/// A 160-bit key of the DHT's keyspace: a node ID, or an info-hash used as a lookup target. Held as three big-endian
/// words so that XOR distances compare in a few instructions.
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>, ISpanFormattable
{
    public const int Size = 20;

    /// <summary>Number of bits in a key.</summary>
    public const int Bits = 160;

    private readonly ulong _high;
    private readonly ulong _middle;
    private readonly uint _low;

    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A node ID is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }
        _high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _middle = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _low = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    private NodeId(ulong high, ulong middle, uint low)
    {
        _high = high;
        _middle = middle;
        _low = low;
    }

    public static NodeId Zero => default;

    public static NodeId Max => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    /// <summary>A uniformly random key from a cryptographic source.</summary>
    public static NodeId CreateRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return new NodeId(bytes);
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _middle);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _low);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The XOR metric of Kademlia.</summary>
    public NodeId Xor(NodeId other) => new(_high ^ other._high, _middle ^ other._middle, _low ^ other._low);

    /// <summary>Number of leading bits shared with <paramref name="other"/> (160 when equal).</summary>
    public int CommonPrefixLength(NodeId other)
    {
        var h = _high ^ other._high;
        if (h != 0)
        {
            return BitOperations.LeadingZeroCount(h);
        }
        var m = _middle ^ other._middle;
        if (m != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(m);
        }
        var l = _low ^ other._low;
        return l != 0 ? 128 + BitOperations.LeadingZeroCount(l) : Bits;
    }

    /// <summary>Compares the distances of <paramref name="a"/> and <paramref name="b"/> to this key: negative when a is closer.</summary>
    public int CompareDistance(NodeId a, NodeId b)
    {
        var c = (a._high ^ _high).CompareTo(b._high ^ _high);
        if (c != 0)
        {
            return c;
        }
        c = (a._middle ^ _middle).CompareTo(b._middle ^ _middle);
        return c != 0 ? c : (a._low ^ _low).CompareTo(b._low ^ _low);
    }

    /// <summary>Bit <paramref name="index"/>, counting from the most significant bit (0).</summary>
    public bool GetBit(int index) => index switch
    {
        < 64 => ((_high >> (63 - index)) & 1) != 0,
        < 128 => ((_middle >> (127 - index)) & 1) != 0,
        _ => ((_low >> (159 - index)) & 1) != 0,
    };

    /// <summary>
    /// A key that shares exactly <paramref name="prefixLength"/> leading bits with this one and is random after that:
    /// a target inside the routing-table bucket of that prefix length.
    /// </summary>
    public NodeId WithRandomSuffix(int prefixLength, ReadOnlySpan<byte> random20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, Bits);
        var random = new NodeId(random20);
        if (prefixLength == Bits)
        {
            return this;
        }
        // Keep our first prefixLength bits, flip the next one, randomize the rest.
        var (mh, mm, ml) = Mask(prefixLength);
        var (fh, fm, fl) = Mask(prefixLength + 1);
        var flipH = fh & ~mh;
        var flipM = fm & ~mm;
        var flipL = fl & ~ml;
        return new NodeId(
            (_high & mh) | ((_high ^ flipH) & flipH) | (random._high & ~fh),
            (_middle & mm) | ((_middle ^ flipM) & flipM) | (random._middle & ~fm),
            (_low & ml) | ((_low ^ flipL) & flipL) | (random._low & ~fl));
    }

    // A mask of the first n bits.
    private static (ulong, ulong, uint) Mask(int n)
    {
        static ulong Top64(int bits) => bits <= 0 ? 0 : bits >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - bits);
        static uint Top32(int bits) => bits <= 0 ? 0 : bits >= 32 ? uint.MaxValue : uint.MaxValue << (32 - bits);
        return (Top64(n), Top64(n - 64), Top32(n - 128));
    }

    public bool Equals(NodeId other) => _high == other._high && _middle == other._middle && _low == other._low;

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _middle, _low);

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    /// <summary>40 lower-case hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        var ok = Convert.TryToHexStringLower(bytes, destination, out charsWritten);
        return ok;
    }

    /// <summary>Parses 40 hex digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out NodeId id)
    {
        id = default;
        if (text is null || text.Length != Size * 2)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }
        id = new NodeId(bytes);
        return true;
    }

    public static NodeId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"\"{text}\" is not 40 hex digits.");
}
