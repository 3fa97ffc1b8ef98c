namespace Ouinet.Testing.Origins;

/// <summary>Generated bodies that are never held: byte <c>i</c> is <c>i mod 251</c> (a prime, so blocks differ).</summary>
public static class PatternBody
{
    // The pattern repeated past 64 KiB, so that any slice of up to 64 KiB is one copy from it.
    private static readonly byte[] Repeated = Enumerable.Range(0, (64 * 1024) + 251).Select(i => (byte)(i % 251)).ToArray();

    public static void Fill(Span<byte> buffer, long offset)
    {
        var start = (int)(offset % 251);
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, 64 * 1024);
            Repeated.AsSpan(start, n).CopyTo(buffer);
            buffer = buffer[n..];
            start = (int)((start + n) % 251);
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
        var start = (int)(offset % 251);
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, 64 * 1024);
            if (!data[..n].SequenceEqual(Repeated.AsSpan(start, n)))
            {
                return false;
            }
            data = data[n..];
            start = (int)((start + n) % 251);
        }
        return true;
    }
}
