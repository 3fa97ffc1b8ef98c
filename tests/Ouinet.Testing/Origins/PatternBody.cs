namespace Ouinet.Testing.Origins;

/// <summary>Generated bodies that are never held: byte <c>i</c> is <c>i mod 251</c> (a prime, so blocks differ).</summary>
public static class PatternBody
{
    public static void Fill(Span<byte> buffer, long offset)
    {
        var value = (int)(offset % 251);
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)value;
            if (++value == 251)
            {
                value = 0;
            }
        }
    }

    /// <summary>The whole pattern body of <paramref name="length"/> bytes (only for small ones).</summary>
    public static byte[] Create(int length)
    {
        var bytes = new byte[length];
        Fill(bytes, 0);
        return bytes;
    }

    /// <summary>Whether <paramref name="data"/> is the pattern at <paramref name="offset"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> data, long offset)
    {
        var value = (int)(offset % 251);
        foreach (var b in data)
        {
            if (b != value)
            {
                return false;
            }
            if (++value == 251)
            {
                value = 0;
            }
        }
        return true;
    }
}
