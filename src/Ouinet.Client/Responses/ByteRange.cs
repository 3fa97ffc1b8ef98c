using System.Globalization;

namespace Ouinet.Client.Responses;

/// <summary>One satisfiable byte range of a representation of known length (RFC 9110 §14).</summary>
public readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    public string ContentRange(long total) => string.Create(CultureInfo.InvariantCulture, $"bytes {First}-{Last}/{total}");

    /// <summary>
    /// Reads a browser's <c>Range</c> header. Returns null for "send the whole body" (no header, not bytes, several
    /// ranges, malformed — all allowed to be ignored by RFC 9110), and sets <paramref name="unsatisfiable"/> when the
    /// single range lies beyond the body.
    /// </summary>
    public static ByteRange? Parse(string? header, long length, out bool unsatisfiable)
    {
        unsatisfiable = false;
        if (header is null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }
            if (suffix == 0 || length == 0)
            {
                unsatisfiable = true;
                return null;
            }
            return new ByteRange(Math.Max(0, length - suffix), length - 1);
        }
        if (!long.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            return null;
        }
        long last = length - 1;
        if (lastText.Length > 0 && (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first))
        {
            return null;
        }
        if (first >= length)
        {
            unsatisfiable = true;
            return null;
        }
        return new ByteRange(first, Math.Min(last, length - 1));
    }
}
