namespace Ouinet.Http;

/// <summary>Bounds applied before and while parsing, so that no peer can make us hold unbounded input.</summary>
public sealed record HttpLimits
{
    public static HttpLimits Default { get; } = new();

    /// <summary>
    /// Start line plus all header fields plus the blank line. A <see cref="System.IO.Pipelines.Pipe"/> feeding the reader
    /// must buffer at least this much before pausing its writer (PauseWriterThreshold), or a head near the limit stalls.
    /// </summary>
    public int MaxHeadBytes { get; init; } = 64 * 1024;

    /// <summary>Number of header fields (and, separately, of trailer fields).</summary>
    public int MaxFieldCount { get; init; } = 100;

    /// <summary>One chunk-size line, extensions included: Ouinet puts signatures there, 4 KiB is ample.</summary>
    public int MaxChunkLineBytes { get; init; } = 4 * 1024;

    /// <summary>Trailer section, like the head.</summary>
    public int MaxTrailerBytes { get; init; } = 64 * 1024;

    /// <summary>Largest body accepted; null for no limit (bodies are streamed, never held).</summary>
    public long? MaxBodyBytes { get; init; }
}
