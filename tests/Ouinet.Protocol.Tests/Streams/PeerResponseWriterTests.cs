using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

public class PeerResponseWriterTests
{
    public static TheoryData<string, string> Ranges
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var range in Manifest.Root.GetProperty("ranges").EnumerateArray())
            {
                data.Add(range.String("vector"), range.String("file"));
            }
            return data;
        }
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public async Task The_stored_entry_is_served_as_the_vectors_peer_stream(string vector)
    {
        var ct = TestContext.Current.CancellationToken;
        var (storedHead, blocks, body) = Stored(vector);
        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        var writer = PeerResponseWriter.ForEntry(pipe, storedHead);

        await writer.WriteHeadAsync(ct);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(body.AsMemory((int)block.Offset, block.Size), block.Signature, block.PreviousChainedHash, ct);
        }
        await writer.CompleteAsync(ct);
        await pipe.CompleteAsync();

        Assert.Equal(Text(Manifest.File(vector, "peer_stream")), Text(output.ToArray()));
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Ranges))]
    public async Task Each_requested_range_is_served_as_the_vectors_206(string vector, string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var manifest = Manifest.Root.GetProperty("ranges").EnumerateArray().Single(r => r.String("file") == file);
        var (storedHead, blocks, body) = Stored(vector);
        var blockSize = Manifest.Vector(vector).GetProperty("block_size").GetInt32();

        var outcome = RangeRequest.Resolve(manifest.String("request_range"), body.Length, blockSize, out var range);
        Assert.Equal(RangeRequestOutcome.Partial, outcome);
        Assert.Equal(manifest.String("content_range"), range.ContentRange);
        Assert.Equal(manifest.GetProperty("first_block").GetInt64(), range.FirstBlock);
        Assert.Equal(manifest.GetProperty("last_block").GetInt64(), range.LastBlock);

        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        var previous = range.FirstBlock > 0 ? blocks[(int)range.FirstBlock - 1].Signature.ToArray() : [];
        var writer = PeerResponseWriter.ForRange(pipe, storedHead, range, previous);
        await writer.WriteHeadAsync(ct);
        for (var i = range.FirstBlock; i <= range.LastBlock; i++)
        {
            var block = blocks[(int)i];
            await writer.WriteBlockAsync(body.AsMemory((int)block.Offset, block.Size), block, ct);
        }
        await writer.CompleteAsync(ct);
        await pipe.CompleteAsync();

        Assert.Equal(Text(File.ReadAllBytes(TestPaths.Vector(file.Split('/')))), Text(output.ToArray()));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_range_writer_refuses_blocks_beyond_its_range_and_an_early_end()
    {
        var ct = TestContext.Current.CancellationToken;
        var (storedHead, blocks, body) = Stored("hello");
        var writer = PeerResponseWriter.ForRange(PipeWriter.Create(new MemoryStream()), storedHead, new BlockRange(0, 1, 5, 12));
        await writer.WriteHeadAsync(ct);
        await writer.WriteBlockAsync(body.AsMemory(0, 5), blocks[0], ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(ct).AsTask());
        await writer.WriteBlockAsync(body.AsMemory(5, 5), blocks[1], ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteBlockAsync(body.AsMemory(10, 2), blocks[2], ct).AsTask());
        Assert.Throws<ArgumentException>(() => PeerResponseWriter.ForRange(PipeWriter.Create(new MemoryStream()), storedHead, new BlockRange(1, 2, 5, 12)));
    }

    /// <summary>A stored entry as the Cache would hand it over: its head, its blocks (from <c>blocks.json</c>), its body.</summary>
    private static (HttpResponseHead Head, List<SignedBlock> Blocks, byte[] Body) Stored(string vector)
    {
        var blocks = System.Text.Json.JsonDocument.Parse(Manifest.File(vector, "blocks")).RootElement.EnumerateArray().Select(b => new SignedBlock(
            b.GetProperty("index").GetInt64(),
            b.GetProperty("offset").GetInt64(),
            b.GetProperty("size").GetInt32(),
            Convert.FromHexString(b.String("signature_hex")),
            Convert.FromHexString(b.String("hash_hex")),
            Convert.FromHexString(b.String("prev_chained_hash_hex")),
            Convert.FromHexString(b.String("chained_hash_hex")))).ToList();
        return (VectorHeads.Head(vector, "stored_head"), blocks, Manifest.File(vector, "body"));
    }
}
