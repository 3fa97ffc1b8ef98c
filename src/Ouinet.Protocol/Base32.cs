namespace Ouinet.Protocol;

/// <summary>
/// RFC 4648 base32 as Ouinet uses it for keys in swarm names: lower-case and unpadded on output,
/// either case on input. Written here rather than taken from a library to get exact error reporting.
/// </summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Number of characters for <paramref name="byteCount"/> bytes, unpadded.</summary>
    public static int EncodedLength(int byteCount) => ((byteCount * 8) + 4) / 5;

    public static string Encode(ReadOnlySpan<byte> data)
    {
        return string.Create(EncodedLength(data.Length), data.ToArray(), static (chars, bytes) =>
        {
            var buffer = 0;
            var bits = 0;
            var o = 0;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[o++] = Alphabet[(buffer >> bits) & 31];
                }
            }
            if (bits > 0)
            {
                chars[o] = Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    /// <summary>
    /// Decodes unpadded base32 of exactly <c>destination.Length</c> bytes. Fails on a wrong length, a character
    /// outside the alphabet, or non-zero unused bits in the last character (so each key has one spelling).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != EncodedLength(destination.Length))
        {
            return false;
        }
        var buffer = 0;
        var bits = 0;
        var o = 0;
        foreach (var c in text)
        {
            var v = ValueOf(c);
            if (v < 0)
            {
                return false;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                destination[o++] = (byte)(buffer >> bits);
            }
            buffer &= (1 << bits) - 1;
        }
        return buffer == 0;
    }

    /// <summary>Whether every character is in the alphabet (either case).</summary>
    public static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (ValueOf(c) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int ValueOf(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
