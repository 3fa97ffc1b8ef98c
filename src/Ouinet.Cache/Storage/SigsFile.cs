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
}
