namespace Ouinet.Overlay.Wire;

/// <summary>What was wrong with a packet or message that could not be decoded.</summary>
public enum OverlayFormatError
{
    /// <summary>The datagram ended before the header or message did.</summary>
    Truncated,

    /// <summary>A type or code byte that this implementation does not know.</summary>
    UnknownCode,

    /// <summary>A QoS cube outside BE/VIDEO/VOICE.</summary>
    BadQosCube,

    /// <summary>Flag bits that are undefined or unsupported (FRCP fragments).</summary>
    BadFlags,

    /// <summary>A length or count over its limit.</summary>
    TooLong,

    /// <summary>A field whose value is not allowed (a non-boolean in_order, a non-zero management EID, …).</summary>
    BadValue,

    /// <summary>Bytes after a message that has a fixed length.</summary>
    TrailingData,
}

/// <summary>A malformed overlay packet or message. Peers cause these: callers drop the packet and log at Debug.</summary>
public sealed class OverlayFormatException : Exception
{
    public OverlayFormatException()
        : this(OverlayFormatError.BadValue, "Malformed overlay message.")
    {
    }

    public OverlayFormatException(string message)
        : this(OverlayFormatError.BadValue, message)
    {
    }

    public OverlayFormatException(string message, Exception innerException)
        : base(message, innerException) => Error = OverlayFormatError.BadValue;

    public OverlayFormatException(OverlayFormatError error, string message)
        : base(message) => Error = error;

    public OverlayFormatError Error { get; }

    internal static OverlayFormatException Truncated(string what) => new(OverlayFormatError.Truncated, $"{what}: truncated");
}
