namespace Ouinet.Dht.Bencoding;

/// <summary>Malformed or oversized bencoded input: <see cref="Error"/> says which rule broke, <see cref="Position"/> where.</summary>
public sealed class BencodeException : Exception
{
    public BencodeException()
    {
    }

    public BencodeException(string message)
        : base(message)
    {
    }

    public BencodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BencodeException(BencodeError error, int position)
        : base($"{Describe(error)} at byte {position}")
    {
        Error = error;
        Position = position;
    }

    public BencodeError Error { get; }

    /// <summary>Offset of the offending byte in the input.</summary>
    public int Position { get; }

    public static string Describe(BencodeError error) => error switch
    {
        BencodeError.UnexpectedEnd => "input ends inside a value",
        BencodeError.UnexpectedByte => "unexpected byte",
        BencodeError.InvalidInteger => "invalid integer (empty, leading zero, -0, non-digit or over 64 bits)",
        BencodeError.InvalidStringLength => "invalid string length",
        BencodeError.StringTooLong => "string longer than the limit",
        BencodeError.DepthExceeded => "nesting deeper than the limit",
        BencodeError.TooManyElements => "more values than the limit",
        BencodeError.InputTooLarge => "input larger than the limit",
        BencodeError.KeyNotString => "dictionary key is not a string",
        BencodeError.DuplicateKey => "duplicate dictionary key",
        BencodeError.UnsortedKeys => "dictionary keys not in ascending order",
        BencodeError.TrailingData => "bytes after the value",
        _ => error.ToString(),
    };
}
