namespace Ouinet.Dht.Bencoding;

/// <summary>
/// Bounds applied while decoding, so that hostile input costs bounded time and memory whatever it holds.
/// </summary>
public readonly record struct BencodeLimits
{
    /// <summary>Hard ceiling on <see cref="MaxDepth"/>: the reader and writer keep per-level state inline.</summary>
    public const int AbsoluteMaxDepth = 32;

    public BencodeLimits()
    {
    }

    /// <summary>Largest input accepted at all.</summary>
    public int MaxInputLength { get; init; } = 1024 * 1024;

    /// <summary>Longest string.</summary>
    public int MaxStringLength { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting of lists and dictionaries (the top-level container is depth 1).</summary>
    public int MaxDepth { get; init; } = AbsoluteMaxDepth;

    /// <summary>Most values (integers, strings, lists, dictionaries) in the whole input.</summary>
    public int MaxElements { get; init; } = 65536;

    /// <summary>Refuse dictionaries whose keys are not strictly ascending (canonical form). Duplicates are always refused.</summary>
    public bool RequireSortedKeys { get; init; }

    /// <summary>Generous limits for general use; canonical key order not required on input.</summary>
    public static BencodeLimits Default { get; } = new();

    /// <summary>
    /// Limits for one KRPC datagram: a real message fits an Ethernet frame, nests three deep
    /// (message, <c>r</c>, <c>values</c>) and holds a few hundred values at most.
    /// </summary>
    public static BencodeLimits Krpc { get; } = new() { MaxInputLength = 4096, MaxStringLength = 4096, MaxDepth = 8, MaxElements = 1024 };
}
