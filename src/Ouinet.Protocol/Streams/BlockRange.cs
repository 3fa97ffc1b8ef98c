using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// A block-aligned byte range of an entry, as a 206 carries it: from the first byte of <see cref="FirstBlock"/> to the
/// last byte of <see cref="LastBlock"/> (the body's last byte for the last block).
/// </summary>
public readonly record struct BlockRange
{
    /// <summary>The range of blocks <paramref name="firstBlock"/>..<paramref name="lastBlock"/>; throws when they are not blocks of the body.</summary>
    public BlockRange(long firstBlock, long lastBlock, int blockSize, long dataSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dataSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBlock);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastBlock, firstBlock);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastBlock, (dataSize - 1) / blockSize);
        FirstBlock = firstBlock;
        LastBlock = lastBlock;
        BlockSize = blockSize;
        DataSize = dataSize;
    }

    public long FirstBlock { get; }

    public long LastBlock { get; }

    public int BlockSize { get; }

    /// <summary>The whole body's length (the <c>/total</c> of <c>Content-Range</c>).</summary>
    public long DataSize { get; }

    /// <summary>The first byte: <c>FirstBlock × block-size</c>.</summary>
    public long First => FirstBlock * BlockSize;

    /// <summary>The last byte (inclusive).</summary>
    public long Last => Math.Min((LastBlock + 1) * BlockSize, DataSize) - 1;

    public long Length => Last - First + 1;

    public long BlockCount => LastBlock - FirstBlock + 1;

    /// <summary>Whether the range is the whole body.</summary>
    public bool IsWholeBody => First == 0 && Last == DataSize - 1;

    /// <summary><c>bytes first-last/total</c>.</summary>
    public string ContentRange => string.Create(CultureInfo.InvariantCulture, $"bytes {First}-{Last}/{DataSize}");

    /// <summary>
    /// Reads a 206's <c>Content-Range: bytes a-b/total</c> as a block range: <c>a</c> must start a block, <c>b</c> end one
    /// (or be the last byte), <c>a ≤ b &lt; total</c>. Refused with a reason: other units, <c>*</c>, whitespace inside,
    /// anything unaligned.
    /// </summary>
    public static bool TryParseContentRange(string? value, int blockSize, [NotNullWhen(false)] out string? error, out BlockRange range)
    {
        range = default;
        var text = (value ?? string.Empty).AsSpan().Trim(" \t");
        if (!text.StartsWith("bytes "))
        {
            error = $"Content-Range \"{value}\" is not in bytes";
            return false;
        }
        text = text["bytes ".Length..];
        var dash = text.IndexOf('-');
        var slash = text.IndexOf('/');
        if (dash <= 0 || slash <= dash + 1
            || !HeaderParameters.TryParseNonNegative(text[..dash], out var first)
            || !HeaderParameters.TryParseNonNegative(text[(dash + 1)..slash], out var last)
            || !HeaderParameters.TryParseNonNegative(text[(slash + 1)..], out var total))
        {
            error = $"Content-Range \"{value}\" is not \"bytes first-last/total\"";
            return false;
        }
        if (first > last || last >= total)
        {
            error = $"Content-Range \"{value}\" is not a range of the body";
            return false;
        }
        if (first % blockSize != 0 || ((last + 1) % blockSize != 0 && last != total - 1))
        {
            error = $"Content-Range \"{value}\" is not aligned to blocks of {blockSize} bytes";
            return false;
        }
        range = new BlockRange(first / blockSize, last / blockSize, blockSize, total);
        error = null;
        return true;
    }
}
