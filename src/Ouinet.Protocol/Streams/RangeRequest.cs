using System.Globalization;
using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Streams;

/// <summary>What to answer a request whose <c>Range</c> header was looked at.</summary>
public enum RangeRequestOutcome
{
    /// <summary>No usable <c>Range</c> (absent, not bytes, malformed): send the whole entry (RFC 9110 §14.2 lets a server ignore it).</summary>
    Full,

    /// <summary>Send the block-aligned range as a 206.</summary>
    Partial,

    /// <summary>No requested byte exists: 416 with <c>Content-Range: bytes */total</c>.</summary>
    NotSatisfiable,
}

/// <summary>
/// Maps a request's <c>Range: bytes=…</c> onto whole blocks: a peer can only send data with the signatures of the
/// blocks that hold it, so the requested bytes are widened to block boundaries (the spec's "rounded up").
/// </summary>
public static class RangeRequest
{
    /// <summary>
    /// Resolves <paramref name="rangeHeader"/> for an entry of <paramref name="dataSize"/> bytes in blocks of
    /// <paramref name="blockSize"/>. Forms: <c>a-b</c>, <c>a-</c>, <c>-n</c> (the last n bytes); <c>b</c> past the end is
    /// clipped. Several ranges are coalesced into the one range covering them (a 206 carries a single range here; the
    /// spec gives multipart no framing). Ranges that start past the end are unsatisfiable and dropped.
    /// </summary>
    public static RangeRequestOutcome Resolve(string? rangeHeader, long dataSize, int blockSize, out BlockRange range)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        range = default;
        var text = (rangeHeader ?? string.Empty).Trim(' ', '\t');
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return RangeRequestOutcome.Full;
        }
        long first = long.MaxValue, last = -1;
        foreach (var element in text["bytes=".Length..].Split(','))
        {
            var spec = element.Trim(' ', '\t');
            if (spec.Length == 0)
            {
                continue;
            }
            if (!TryParseSpec(spec, dataSize, out var a, out var b))
            {
                return RangeRequestOutcome.Full;
            }
            if (a < 0)
            {
                continue;  // unsatisfiable on its own
            }
            first = Math.Min(first, a);
            last = Math.Max(last, b);
        }
        if (last < 0)
        {
            return RangeRequestOutcome.NotSatisfiable;
        }
        range = new BlockRange(first / blockSize, last / blockSize, blockSize, dataSize);
        return RangeRequestOutcome.Partial;
    }

    /// <summary>The <c>Content-Range</c> of a 416: <c>bytes */total</c>.</summary>
    public static string UnsatisfiableContentRange(long dataSize) => string.Create(CultureInfo.InvariantCulture, $"bytes */{dataSize}");

    /// <summary>Parses one range-spec; false when malformed; <paramref name="first"/> -1 when it selects no byte.</summary>
    private static bool TryParseSpec(string spec, long dataSize, out long first, out long last)
    {
        first = last = -1;
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }
        var start = spec.AsSpan(0, dash).Trim(' ');
        var end = spec.AsSpan(dash + 1).Trim(' ');
        if (start.IsEmpty)
        {
            // Suffix: the last n bytes.
            if (!HeaderParameters.TryParseNonNegative(end, out var n))
            {
                return false;
            }
            if (n > 0 && dataSize > 0)
            {
                first = Math.Max(0, dataSize - n);
                last = dataSize - 1;
            }
            return true;
        }
        if (!HeaderParameters.TryParseNonNegative(start, out var a))
        {
            return false;
        }
        long b = long.MaxValue;
        if (!end.IsEmpty && !HeaderParameters.TryParseNonNegative(end, out b))
        {
            return false;
        }
        if (b < a)
        {
            return false;
        }
        if (a < dataSize)
        {
            first = a;
            last = Math.Min(b, dataSize - 1);
        }
        return true;
    }
}
