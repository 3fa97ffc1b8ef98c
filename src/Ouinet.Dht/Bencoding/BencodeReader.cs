namespace Ouinet.Dht.Bencoding;

/// <summary>What the next value in the input is.</summary>
public enum BencodeToken
{
    Integer,
    String,
    List,
    Dictionary,

    /// <summary>The <c>e</c> that closes the current list or dictionary.</summary>
    End,
}

/// <summary>
/// A forward-only reader over one whole bencoded input (a datagram or a file), checking every rule and limit as it
/// goes. Strings come back as slices of the input, so reading allocates nothing. Malformed input throws
/// <see cref="BencodeException"/> naming the rule and the byte.
/// </summary>
/// <remarks>
/// KRPC arrives as whole datagrams, so unlike the HTTP parsers there is no "need more input" state: an input that
/// ends early is simply malformed. Key order and duplicates are left to the caller, which knows the keys it wants
/// (see <see cref="BencodeDecoder"/> and the KRPC decoder).
/// </remarks>
public ref struct BencodeReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly BencodeLimits _limits;
    private int _position;
    private int _depth;
    private int _elements;

    public BencodeReader(ReadOnlySpan<byte> data, BencodeLimits limits)
    {
        if (limits.MaxDepth > BencodeLimits.AbsoluteMaxDepth || limits.MaxDepth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), $"MaxDepth must be 1 to {BencodeLimits.AbsoluteMaxDepth}.");
        }
        if (data.Length > limits.MaxInputLength)
        {
            throw new BencodeException(BencodeError.InputTooLarge, limits.MaxInputLength);
        }
        _data = data;
        _limits = limits;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>How many lists and dictionaries are open.</summary>
    public readonly int Depth => _depth;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>The kind of the next value, without reading it.</summary>
    public readonly BencodeToken Peek()
    {
        if (_position >= _data.Length)
        {
            throw new BencodeException(BencodeError.UnexpectedEnd, _position);
        }
        return _data[_position] switch
        {
            (byte)'i' => BencodeToken.Integer,
            (byte)'l' => BencodeToken.List,
            (byte)'d' => BencodeToken.Dictionary,
            (byte)'e' when _depth > 0 => BencodeToken.End,
            >= (byte)'0' and <= (byte)'9' => BencodeToken.String,
            _ => throw new BencodeException(BencodeError.UnexpectedByte, _position),
        };
    }

    /// <summary>Reads <c>i…e</c> in canonical form: no leading zeros, no <c>-0</c>, within 64 bits.</summary>
    public long ReadInteger()
    {
        Expect(BencodeToken.Integer);
        CountElement();
        var start = ++_position;
        var negative = _position < _data.Length && _data[_position] == (byte)'-';
        if (negative)
        {
            _position++;
        }
        var digitsStart = _position;
        ulong magnitude = 0;
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw new BencodeException(BencodeError.UnexpectedEnd, _position);
            }
            var b = _data[_position];
            if (b == (byte)'e')
            {
                break;
            }
            if (b is < (byte)'0' or > (byte)'9' || magnitude > (ulong.MaxValue - 9) / 10)
            {
                throw new BencodeException(BencodeError.InvalidInteger, start);
            }
            magnitude = (magnitude * 10) + (ulong)(b - '0');
            _position++;
        }
        var digits = _position - digitsStart;
        var leadingZero = _data[digitsStart] == (byte)'0' && (digits > 1 || negative);
        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (digits == 0 || leadingZero || magnitude > limit)
        {
            throw new BencodeException(BencodeError.InvalidInteger, start);
        }
        _position++;
        return negative ? (long)(0 - magnitude) : (long)magnitude;
    }

    /// <summary>Reads <c>length:bytes</c>; the result is a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        Expect(BencodeToken.String);
        CountElement();
        var start = _position;
        long length = 0;
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw new BencodeException(BencodeError.UnexpectedEnd, _position);
            }
            var b = _data[_position];
            if (b == (byte)':')
            {
                break;
            }
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException(BencodeError.InvalidStringLength, start);
            }
            length = (length * 10) + (b - '0');
            if (length > _limits.MaxStringLength)
            {
                throw new BencodeException(BencodeError.StringTooLong, start);
            }
            _position++;
        }
        if (_position - start > 1 && _data[start] == (byte)'0')
        {
            throw new BencodeException(BencodeError.InvalidStringLength, start);
        }
        _position++;
        if (length > _data.Length - _position)
        {
            throw new BencodeException(BencodeError.UnexpectedEnd, _data.Length);
        }
        var value = _data.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }

    /// <summary>Reads the <c>l</c> that opens a list.</summary>
    public void ReadListStart() => Open(BencodeToken.List);

    /// <summary>Reads the <c>d</c> that opens a dictionary.</summary>
    public void ReadDictionaryStart() => Open(BencodeToken.Dictionary);

    /// <summary>Reads the <c>e</c> closing the current container if it is next; otherwise reads nothing.</summary>
    public bool TryReadEnd()
    {
        if (_depth == 0 || Peek() != BencodeToken.End)
        {
            return false;
        }
        _position++;
        _depth--;
        return true;
    }

    /// <summary>Reads a dictionary key: a string, with the same limits.</summary>
    public ReadOnlySpan<byte> ReadKey()
    {
        if (Peek() != BencodeToken.String)
        {
            throw new BencodeException(BencodeError.KeyNotString, _position);
        }
        return ReadString();
    }

    /// <summary>Reads and checks one whole value of any kind, discarding it (for keys a reader does not know).</summary>
    public void Skip()
    {
        var start = _depth;
        while (true)
        {
            switch (Peek())
            {
                case BencodeToken.Integer:
                    ReadInteger();
                    break;
                case BencodeToken.String:
                    ReadString();
                    break;
                case BencodeToken.List:
                    ReadListStart();
                    break;
                case BencodeToken.Dictionary:
                    ReadDictionaryStart();
                    break;
                default:
                    throw new BencodeException(BencodeError.UnexpectedByte, _position);
            }
            // Close what ends here; inside a dictionary, a key comes before the next value.
            while (true)
            {
                if (_depth == start)
                {
                    return;
                }
                if (TryReadEnd())
                {
                    continue;
                }
                if (_containers[_depth - 1])
                {
                    ReadKey();
                }
                break;
            }
        }
    }

    /// <summary>Throws unless the whole input has been read.</summary>
    public readonly void ExpectEndOfInput()
    {
        if (_position != _data.Length)
        {
            throw new BencodeException(BencodeError.TrailingData, _position);
        }
    }

    private readonly void Expect(BencodeToken token)
    {
        if (Peek() != token)
        {
            throw new BencodeException(BencodeError.UnexpectedByte, _position);
        }
    }

    private void Open(BencodeToken token)
    {
        Expect(token);
        CountElement();
        if (_depth >= _limits.MaxDepth)
        {
            throw new BencodeException(BencodeError.DepthExceeded, _position);
        }
        _containers[_depth] = token == BencodeToken.Dictionary;
        _depth++;
        _position++;
    }

    private void CountElement()
    {
        if (++_elements > _limits.MaxElements)
        {
            throw new BencodeException(BencodeError.TooManyElements, _position);
        }
    }

    // Whether each open container is a dictionary (keys before values) or a list.
    private ContainerKinds _containers;

    [System.Runtime.CompilerServices.InlineArray(BencodeLimits.AbsoluteMaxDepth)]
    private struct ContainerKinds
    {
        private bool _element;
    }
}
