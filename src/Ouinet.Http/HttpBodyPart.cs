using System.Buffers;

namespace Ouinet.Http;

/// <summary>What an <see cref="HttpBodyPart"/> carries.</summary>
public enum HttpBodyPartKind
{
    /// <summary>A chunk-size line: <see cref="HttpBodyPart.ChunkSize"/> and its <see cref="HttpBodyPart.Extensions"/>. Chunked only.</summary>
    ChunkHeader,
    /// <summary>Body bytes in <see cref="HttpBodyPart.Data"/>.</summary>
    Data,
    /// <summary>The body is over. Chunked: the last-chunk line's extensions and the trailers.</summary>
    End,
}

/// <summary>
/// One step of a body as read by <see cref="HttpBodyReader.ReadAsync"/>. <see cref="Data"/> points into the pipe's
/// buffer (no copy) and is valid only until the next read from the same reader.
/// </summary>
public readonly struct HttpBodyPart
{
    private HttpBodyPart(HttpBodyPartKind kind, long chunkSize, IReadOnlyList<ChunkExtension> extensions, ReadOnlySequence<byte> data, HttpFields? trailers)
    {
        Kind = kind;
        ChunkSize = chunkSize;
        Extensions = extensions;
        Data = data;
        Trailers = trailers;
    }

    public HttpBodyPartKind Kind { get; }

    /// <summary>The chunk's size (ChunkHeader); 0 otherwise.</summary>
    public long ChunkSize { get; }

    /// <summary>Extensions of the chunk line (ChunkHeader), of the last-chunk line (End of a chunked body); else empty.</summary>
    public IReadOnlyList<ChunkExtension> Extensions { get; }

    /// <summary>Body bytes (Data); empty otherwise. Valid until the next read.</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>The trailer section (End of a chunked body, possibly empty); null otherwise.</summary>
    public HttpFields? Trailers { get; }

    internal static HttpBodyPart ChunkHeader(long size, IReadOnlyList<ChunkExtension> extensions) =>
        new(HttpBodyPartKind.ChunkHeader, size, extensions, default, null);

    internal static HttpBodyPart DataPart(ReadOnlySequence<byte> data) =>
        new(HttpBodyPartKind.Data, 0, [], data, null);

    internal static HttpBodyPart End(IReadOnlyList<ChunkExtension> extensions, HttpFields? trailers) =>
        new(HttpBodyPartKind.End, 0, extensions, default, trailers);

    public override string ToString() => Kind switch
    {
        HttpBodyPartKind.ChunkHeader => $"ChunkHeader({ChunkSize}, {Extensions.Count} extensions)",
        HttpBodyPartKind.Data => $"Data({Data.Length} bytes)",
        _ => $"End({Extensions.Count} extensions, {Trailers?.Count ?? 0} trailers)",
    };
}
