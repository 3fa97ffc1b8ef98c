using System.Buffers;

namespace Ouinet.Http.Tests;

/// <summary>Whole messages through <see cref="HttpMessageReader"/>, as transcripts or re-written bytes.</summary>
internal static class Messages
{
    public static async Task<string> ResponseTranscriptAsync(
        byte[] data, CancellationToken ct, int maxPerRead = int.MaxValue, HttpLimits? limits = null, string method = "GET")
    {
        await using var reader = Wire.Reader(data, maxPerRead, limits);
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, method), ct);
        return Heads.Describe(head) + body;
    }

    public static async Task<string?> RequestTranscriptAsync(byte[] data, CancellationToken ct, int maxPerRead = int.MaxValue, HttpLimits? limits = null)
    {
        await using var reader = Wire.Reader(data, maxPerRead, limits);
        var head = await reader.ReadRequestHeadAsync(ct);
        if (head is null)
        {
            return null;
        }
        var body = await BodyTranscript.ReadAsync(reader.ReadRequestBody(head), ct);
        return Heads.Describe(head) + body;
    }

    /// <summary>Reads a response part by part and writes each part back with <see cref="HttpWriter"/>.</summary>
    public static async Task<byte[]> RewriteResponseAsync(byte[] data, CancellationToken ct, int maxPerRead = int.MaxValue)
    {
        await using var reader = Wire.Reader(data, maxPerRead);
        var output = new ArrayBufferWriter<byte>();
        var head = await reader.ReadResponseHeadAsync(ct);
        HttpWriter.WriteResponseHead(output, head);
        var body = reader.ReadResponseBody(head, "GET");
        long chunkLeft = 0;
        while (true)
        {
            var part = await body.ReadAsync(ct);
            switch (part.Kind)
            {
                case HttpBodyPartKind.ChunkHeader:
                    HttpWriter.WriteChunkHeader(output, part.ChunkSize, part.Extensions);
                    chunkLeft = part.ChunkSize;
                    break;
                case HttpBodyPartKind.Data:
                    foreach (var segment in part.Data)
                    {
                        output.Write(segment.Span);
                    }
                    if (body.Framing == BodyFraming.Chunked && (chunkLeft -= part.Data.Length) == 0)
                    {
                        HttpWriter.WriteChunkEnd(output);
                    }
                    break;
                case HttpBodyPartKind.End:
                    if (body.Framing == BodyFraming.Chunked)
                    {
                        HttpWriter.WriteLastChunk(output, part.Extensions, part.Trailers);
                    }
                    return output.WrittenSpan.ToArray();
            }
        }
    }
}
