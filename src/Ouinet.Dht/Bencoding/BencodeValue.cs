using System.Collections;
using System.Globalization;
using System.Text;

namespace Ouinet.Dht.Bencoding;

/// <summary>A decoded bencoded value: <see cref="BencodeInteger"/>, <see cref="BencodeString"/>, <see cref="BencodeList"/> or <see cref="BencodeDictionary"/>.</summary>
public abstract class BencodeValue
{
    private protected BencodeValue()
    {
    }

    /// <summary>The canonical encoding (sorted keys).</summary>
    public byte[] Encode() => BencodeEncoder.Encode(this);

    public override string ToString() => Encoding.Latin1.GetString(Encode());
}

public sealed class BencodeInteger(long value) : BencodeValue
{
    public long Value { get; } = value;
}

public sealed class BencodeString(ReadOnlyMemory<byte> value) : BencodeValue
{
    public BencodeString(string text)
        : this(Encoding.UTF8.GetBytes(text))
    {
    }

    public ReadOnlyMemory<byte> Value { get; } = value;

    /// <summary>The bytes as text (UTF-8), for keys and messages that are text by convention.</summary>
    public string Text => Encoding.UTF8.GetString(Value.Span);
}

public sealed class BencodeList : BencodeValue, IReadOnlyList<BencodeValue>
{
    private readonly List<BencodeValue> _items = [];

    public int Count => _items.Count;

    public BencodeValue this[int index] => _items[index];

    public void Add(BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(value);
    }

    public IEnumerator<BencodeValue> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A dictionary kept in canonical order: keys are byte strings sorted as raw bytes.</summary>
public sealed class BencodeDictionary : BencodeValue, IEnumerable<KeyValuePair<ReadOnlyMemory<byte>, BencodeValue>>
{
    private readonly SortedDictionary<ReadOnlyMemory<byte>, BencodeValue> _items = new(KeyComparer.Instance);

    public int Count => _items.Count;

    public BencodeValue this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => _items[Encoding.UTF8.GetBytes(key)] = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Adds a key that must not be present yet.</summary>
    public bool TryAdd(ReadOnlyMemory<byte> key, BencodeValue value) => _items.TryAdd(key, value);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BencodeValue? value) =>
        _items.TryGetValue(Encoding.UTF8.GetBytes(key), out value);

    public IEnumerator<KeyValuePair<ReadOnlyMemory<byte>, BencodeValue>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal sealed class KeyComparer : IComparer<ReadOnlyMemory<byte>>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceCompareTo(y.Span);
    }
}

/// <summary>Decodes a whole input into a <see cref="BencodeValue"/> tree.</summary>
public static class BencodeDecoder
{
    /// <summary>Decodes exactly one value spanning the whole input; throws <see cref="BencodeException"/> otherwise.</summary>
    public static BencodeValue Decode(ReadOnlySpan<byte> data, BencodeLimits limits)
    {
        var reader = new BencodeReader(data, limits);
        var value = Read(ref reader, limits.RequireSortedKeys);
        reader.ExpectEndOfInput();
        return value;
    }

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, BencodeLimits)"/>
    public static BencodeValue Decode(ReadOnlySpan<byte> data) => Decode(data, BencodeLimits.Default);

    // Recursion is bounded by BencodeLimits.MaxDepth (at most 32).
    private static BencodeValue Read(ref BencodeReader reader, bool sorted)
    {
        switch (reader.Peek())
        {
            case BencodeToken.Integer:
                return new BencodeInteger(reader.ReadInteger());
            case BencodeToken.String:
                return new BencodeString(reader.ReadString().ToArray());
            case BencodeToken.List:
                reader.ReadListStart();
                var list = new BencodeList();
                while (!reader.TryReadEnd())
                {
                    list.Add(Read(ref reader, sorted));
                }
                return list;
            case BencodeToken.Dictionary:
                reader.ReadDictionaryStart();
                var dictionary = new BencodeDictionary();
                byte[]? previous = null;
                while (!reader.TryReadEnd())
                {
                    var at = reader.Position;
                    var key = reader.ReadKey().ToArray();
                    if (sorted && previous is not null && previous.AsSpan().SequenceCompareTo(key) > 0)
                    {
                        throw new BencodeException(BencodeError.UnsortedKeys, at);
                    }
                    var value = Read(ref reader, sorted);
                    if (!dictionary.TryAdd(key, value))
                    {
                        throw new BencodeException(BencodeError.DuplicateKey, at);
                    }
                    previous = key;
                }
                return dictionary;
            default:
                throw new BencodeException(BencodeError.UnexpectedByte, reader.Position);
        }
    }
}

/// <summary>Encodes a <see cref="BencodeValue"/> tree canonically.</summary>
public static class BencodeEncoder
{
    public static byte[] Encode(BencodeValue value)
    {
        var buffer = new byte[GetLength(value)];
        var writer = new BencodeWriter(buffer);
        Write(ref writer, value);
        return buffer;
    }

    /// <summary>Length of the encoding of a string of <paramref name="length"/> bytes.</summary>
    public static int StringLength(int length) => Digits(length) + 1 + length;

    /// <summary>Length of the encoding of <paramref name="value"/> as an integer.</summary>
    public static int IntegerLength(long value) =>
        2 + (value < 0 ? 1 + Digits((ulong)(0 - value)) : Digits((ulong)value));

    private static int Digits(long value) => Digits((ulong)value);

    private static int Digits(ulong value) =>
        value.ToString(CultureInfo.InvariantCulture).Length;

    private static int GetLength(BencodeValue value) => value switch
    {
        BencodeInteger i => IntegerLength(i.Value),
        BencodeString s => StringLength(s.Value.Length),
        BencodeList l => 2 + l.Sum(GetLength),
        BencodeDictionary d => 2 + d.Sum(p => StringLength(p.Key.Length) + GetLength(p.Value)),
        _ => throw new ArgumentException("Unknown bencode value type.", nameof(value)),
    };

    private static void Write(ref BencodeWriter writer, BencodeValue value)
    {
        switch (value)
        {
            case BencodeInteger i:
                writer.WriteInteger(i.Value);
                break;
            case BencodeString s:
                writer.WriteString(s.Value.Span);
                break;
            case BencodeList l:
                writer.WriteListStart();
                foreach (var item in l)
                {
                    Write(ref writer, item);
                }
                writer.WriteEnd();
                break;
            case BencodeDictionary d:
                writer.WriteDictionaryStart();
                foreach (var (key, item) in d)
                {
                    writer.WriteKey(key.Span);
                    Write(ref writer, item);
                }
                writer.WriteEnd();
                break;
            default:
                throw new ArgumentException("Unknown bencode value type.", nameof(value));
        }
    }
}
