using System.Buffers;

namespace Ouinet.Http.Tests;

/// <summary>Runs the synchronous parsers on whole inputs.</summary>
internal static class Parse
{
    public static HttpRequestHead Request(string text, HttpLimits? limits = null) => Request(Wire.Bytes(text), limits, out _);

    public static HttpRequestHead Request(byte[] data, HttpLimits? limits, out long consumed) =>
        Request(new ReadOnlySequence<byte>(data), limits, out consumed);

    public static HttpRequestHead Request(ReadOnlySequence<byte> data, HttpLimits? limits, out long consumed)
    {
        var reader = new SequenceReader<byte>(data);
        Assert.True(HttpHeadParser.TryParseRequestHead(ref reader, limits ?? HttpLimits.Default, out var head));
        consumed = reader.Consumed;
        return head;
    }

    public static HttpResponseHead Response(string text, HttpLimits? limits = null) => Response(new ReadOnlySequence<byte>(Wire.Bytes(text)), limits, out _);

    public static HttpResponseHead Response(ReadOnlySequence<byte> data, HttpLimits? limits, out long consumed)
    {
        var reader = new SequenceReader<byte>(data);
        Assert.True(HttpHeadParser.TryParseResponseHead(ref reader, limits ?? HttpLimits.Default, out var head));
        consumed = reader.Consumed;
        return head;
    }

    /// <summary>Null when more data is needed (the reader must then not have moved).</summary>
    public static HttpRequestHead? TryRequest(ReadOnlySequence<byte> data, HttpLimits? limits = null)
    {
        var reader = new SequenceReader<byte>(data);
        if (HttpHeadParser.TryParseRequestHead(ref reader, limits ?? HttpLimits.Default, out var head))
        {
            return head;
        }
        Assert.Equal(0, reader.Consumed);
        return null;
    }

    public static HttpResponseHead? TryResponse(ReadOnlySequence<byte> data, HttpLimits? limits = null)
    {
        var reader = new SequenceReader<byte>(data);
        if (HttpHeadParser.TryParseResponseHead(ref reader, limits ?? HttpLimits.Default, out var head))
        {
            return head;
        }
        Assert.Equal(0, reader.Consumed);
        return null;
    }

    public static HttpParseException RequestError(string text, HttpLimits? limits = null) =>
        Assert.Throws<HttpParseException>(() => TryRequest(new ReadOnlySequence<byte>(Wire.Bytes(text)), limits));

    public static HttpParseException ResponseError(string text, HttpLimits? limits = null) =>
        Assert.Throws<HttpParseException>(() => TryResponse(new ReadOnlySequence<byte>(Wire.Bytes(text)), limits));

    /// <summary>Chunk-size line: null when more data is needed.</summary>
    public static (long Size, IReadOnlyList<ChunkExtension> Extensions, long Consumed)? ChunkHeader(
        ReadOnlySequence<byte> data, bool fromServer = true, HttpLimits? limits = null)
    {
        var reader = new SequenceReader<byte>(data);
        if (ChunkedParser.TryReadChunkHeader(ref reader, limits ?? HttpLimits.Default, fromServer, out var size, out var ext))
        {
            return (size, ext, reader.Consumed);
        }
        Assert.Equal(0, reader.Consumed);
        return null;
    }

    public static (long Size, IReadOnlyList<ChunkExtension> Extensions, long Consumed)? ChunkHeader(string text, bool fromServer = true, HttpLimits? limits = null) =>
        ChunkHeader(new ReadOnlySequence<byte>(Wire.Bytes(text)), fromServer, limits);

    public static HttpParseException ChunkHeaderError(string text, bool fromServer = true, HttpLimits? limits = null) =>
        Assert.Throws<HttpParseException>(() => ChunkHeader(text, fromServer, limits));

    public static HttpFields? Trailers(ReadOnlySequence<byte> data, bool fromServer = true, HttpLimits? limits = null)
    {
        var reader = new SequenceReader<byte>(data);
        if (ChunkedParser.TryReadTrailers(ref reader, limits ?? HttpLimits.Default, fromServer, out var trailers))
        {
            Assert.Equal(data.Length, reader.Consumed);
            return trailers;
        }
        Assert.Equal(0, reader.Consumed);
        return null;
    }

    public static HttpFields? Trailers(string text, bool fromServer = true, HttpLimits? limits = null) =>
        Trailers(new ReadOnlySequence<byte>(Wire.Bytes(text)), fromServer, limits);
}
