namespace Ouinet.Protocol;

/// <summary>
/// Standard padded base64 decoding that accepts only the canonical spelling of a value of a known length:
/// no whitespace (which <see cref="Convert"/> would skip), no missing padding, no stray bits.
/// Signatures, hashes and keys are compared as bytes, so one spelling per value keeps them unambiguous.
/// </summary>
internal static class StrictBase64
{
    /// <summary>Length of the padded base64 of <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount) => (byteCount + 2) / 3 * 4;

    /// <summary>Decodes <paramref name="text"/> into exactly <paramref name="destination"/>; false on anything else.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != EncodedLength(destination.Length))
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!IsBase64Char(c))
            {
                return false;
            }
        }
        if (!Convert.TryFromBase64Chars(text, destination, out var written) || written != destination.Length)
        {
            return false;
        }
        // Re-encoding catches non-zero padding bits and misplaced '=': one spelling per value.
        Span<char> again = stackalloc char[text.Length];
        return Convert.TryToBase64Chars(destination, again, out _) && again.SequenceEqual(text);
    }

    /// <summary>Decodes into a new array of <paramref name="length"/> bytes, or null.</summary>
    public static byte[]? Decode(ReadOnlySpan<char> text, int length)
    {
        var bytes = new byte[length];
        return TryDecode(text, bytes) ? bytes : null;
    }

    private static bool IsBase64Char(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/' or '=';
}
