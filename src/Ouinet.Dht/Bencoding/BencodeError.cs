namespace Ouinet.Dht.Bencoding;

/// <summary>Why bencoded input was refused. Each value names one rule of the format or one limit.</summary>
public enum BencodeError
{
    /// <summary>The input ended inside a value.</summary>
    UnexpectedEnd,

    /// <summary>A byte that cannot start a value here (not <c>i</c>, <c>l</c>, <c>d</c>, a digit, or <c>e</c> closing a container).</summary>
    UnexpectedByte,

    /// <summary>An integer that is empty, has a leading zero, is <c>-0</c>, holds a non-digit, or does not fit 64 bits.</summary>
    InvalidInteger,

    /// <summary>A string length that has a leading zero, a non-digit, or no <c>:</c>.</summary>
    InvalidStringLength,

    /// <summary>A string longer than <see cref="BencodeLimits.MaxStringLength"/>.</summary>
    StringTooLong,

    /// <summary>Lists and dictionaries nested deeper than <see cref="BencodeLimits.MaxDepth"/>.</summary>
    DepthExceeded,

    /// <summary>More values in all than <see cref="BencodeLimits.MaxElements"/>.</summary>
    TooManyElements,

    /// <summary>Input longer than <see cref="BencodeLimits.MaxInputLength"/>.</summary>
    InputTooLarge,

    /// <summary>A dictionary key that is not a string.</summary>
    KeyNotString,

    /// <summary>The same key twice in one dictionary.</summary>
    DuplicateKey,

    /// <summary>Keys not in ascending byte order, where <see cref="BencodeLimits.RequireSortedKeys"/> asks for it.</summary>
    UnsortedKeys,

    /// <summary>Bytes after the one top-level value.</summary>
    TrailingData,
}
