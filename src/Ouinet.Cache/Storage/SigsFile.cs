namespace Ouinet.Cache.Storage;

/// <summary>Reads a whole <c>sigs</c> file: fixed-width lines, so line i starts at byte i × 284.</summary>
public static class SigsFile
{
    public const string FileName = "sigs";

    /// <summary>
    /// Reads every line. Fails with the 1-based line number and reason on a malformed line, a partial last line, or
    /// more than <paramref name="maxLines"/> lines (the caller knows how many blocks the entry can have).
    /// </summary>
    public static bool TryRead(string path, int maxLines, out List<SigsLine> lines, out string? error)
    {
        lines = [];
        error = null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        var length = file.Length;
        if (length % SigsLine.LineLength != 0)
        {
            error = $"size {length} is not a whole number of {SigsLine.LineLength}-byte lines";
            return false;
        }
        if (length / SigsLine.LineLength > maxLines)
        {
            error = $"{length / SigsLine.LineLength} lines, more than the {maxLines} blocks the entry can have";
            return false;
        }
        Span<byte> line = stackalloc byte[SigsLine.LineLength];
        for (var n = 1; file.Position < length; n++)
        {
            file.ReadExactly(line);
            if (line[^1] != (byte)'\n')
            {
                error = $"line {n} does not end in LF";
                return false;
            }
            var parsed = SigsLine.TryParse(line[..^1], out var reason);
            if (parsed is null)
            {
                error = $"line {n}: {reason}";
                return false;
            }
            lines.Add(parsed);
        }
        return true;
    }

    /// <summary>Reads and parses line <paramref name="index"/> (0-based) of an opened <c>sigs</c> file.</summary>
    internal static SigsLine? TryReadLine(EntryFile file, long index, out string? error)
    {
        Span<byte> line = stackalloc byte[SigsLine.LineLength];
        if (!file.TryReadExactly(line, index * SigsLine.LineLength))
        {
            error = $"line {index + 1} is missing";
            return null;
        }
        return ParseLine(line, index, out error);
    }

    /// <summary>Reads the first <paramref name="count"/> lines of an opened <c>sigs</c> file (the caller checked its length).</summary>
    internal static List<SigsLine>? TryReadLines(EntryFile file, int count, out string? error)
    {
        error = null;
        var lines = new List<SigsLine>(count);
        var batch = new byte[Math.Min(count, 256) * SigsLine.LineLength];
        for (var first = 0; first < count; first += 256)
        {
            var n = Math.Min(256, count - first);
            var span = batch.AsSpan(0, n * SigsLine.LineLength);
            if (!file.TryReadExactly(span, (long)first * SigsLine.LineLength))
            {
                error = "the file became shorter while it was read";
                return null;
            }
            for (var i = 0; i < n; i++)
            {
                var parsed = ParseLine(span.Slice(i * SigsLine.LineLength, SigsLine.LineLength), first + i, out error);
                if (parsed is null)
                {
                    return null;
                }
                lines.Add(parsed);
            }
        }
        return lines;
    }

    private static SigsLine? ParseLine(ReadOnlySpan<byte> line, long index, out string? error)
    {
        if (line[^1] != (byte)'\n')
        {
            error = $"line {index + 1} does not end in LF";
            return null;
        }
        var parsed = SigsLine.TryParse(line[..^1], out var reason);
        error = parsed is null ? $"line {index + 1}: {reason}" : null;
        return parsed;
    }
}
