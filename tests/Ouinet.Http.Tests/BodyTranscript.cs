using System.Buffers;
using System.Text;

namespace Ouinet.Http.Tests;

/// <summary>
/// A body read to its end, with Data parts merged per chunk so that transcripts compare equal whatever the
/// segmentation. Checks the part sequence is well formed while reading (Data only inside a chunk, exact sizes).
/// </summary>
internal sealed class BodyTranscript
{
    public sealed record Chunk(long Size, IReadOnlyList<ChunkExtension> Extensions, byte[] Data);

    public List<Chunk> Chunks { get; } = [];

    public required BodyFraming Framing { get; init; }

    public byte[] Data { get; private set; } = [];

    public int DataParts { get; private set; }

    public IReadOnlyList<ChunkExtension> EndExtensions { get; private set; } = [];

    public HttpFields? Trailers { get; private set; }

    public static async Task<BodyTranscript> ReadAsync(HttpBodyReader body, CancellationToken ct)
    {
        var t = new BodyTranscript { Framing = body.Framing };
        var all = new MemoryStream();
        MemoryStream? chunk = null;
        long chunkSize = 0;
        IReadOnlyList<ChunkExtension> chunkExt = [];
        while (true)
        {
            var part = await body.ReadAsync(ct);
            switch (part.Kind)
            {
                case HttpBodyPartKind.ChunkHeader:
                    Assert.Equal(BodyFraming.Chunked, body.Framing);
                    Finish();
                    Assert.True(part.ChunkSize > 0);
                    chunk = new MemoryStream();
                    chunkSize = part.ChunkSize;
                    chunkExt = part.Extensions;
                    break;
                case HttpBodyPartKind.Data:
                    Assert.False(part.Data.IsEmpty);
                    t.DataParts++;
                    var bytes = part.Data.ToArray();
                    all.Write(bytes);
                    if (body.Framing == BodyFraming.Chunked)
                    {
                        Assert.NotNull(chunk);
                        chunk.Write(bytes);
                        Assert.True(chunk.Length <= chunkSize, "Data beyond the chunk size.");
                    }
                    break;
                case HttpBodyPartKind.End:
                    Finish();
                    t.Data = all.ToArray();
                    t.EndExtensions = part.Extensions;
                    t.Trailers = part.Trailers;
                    Assert.True(body.IsCompleted);
                    Assert.Equal(t.Data.Length, body.BytesRead);
                    Assert.Same(part.Trailers, body.Trailers);
                    Assert.Equal(part.Extensions, body.LastChunkExtensions);
                    return t;
            }
        }

        void Finish()
        {
            if (chunk is not null)
            {
                Assert.Equal(chunkSize, chunk.Length);
                t.Chunks.Add(new Chunk(chunkSize, chunkExt, chunk.ToArray()));
                chunk = null;
            }
        }
    }

    /// <summary>Everything that was read, as text: equal transcripts mean equal messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder().Append(Framing).Append('\n');
        foreach (var c in Chunks)
        {
            sb.Append($"chunk {c.Size}{Ext(c.Extensions)} {Convert.ToBase64String(c.Data)}\n");
        }
        sb.Append($"data {Convert.ToBase64String(Data)}\nend{Ext(EndExtensions)}\n");
        if (Trailers is not null)
        {
            sb.Append(Heads.Describe(Trailers));
        }
        return sb.ToString();
    }

    private static string Ext(IReadOnlyList<ChunkExtension> ext) =>
        string.Concat(ext.Select(e => e.Value is null ? $";{e.Name}" : $";{e.Name}=[{e.Value}]"));
}
