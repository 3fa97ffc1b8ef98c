using System.Buffers;
using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

public class ResponseSignerTests
{
    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public async Task Every_origin_response_signs_to_its_injector_stream_byte_for_byte(string vector)
    {
        using var key = TestKeys.Trusted();

        var stream = await SignAsync(Manifest.File(vector, "origin_response"), key, VectorOptions(vector), TestContext.Current.CancellationToken);

        Assert.Equal(Text(Manifest.File(vector, "injector_stream")), Text(stream));
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public async Task The_signing_core_gives_the_stored_head_and_the_sigs_lines(string vector)
    {
        using var key = TestKeys.Trusted();
        var origin = VectorHeads.Head(vector, "origin_response");
        var signer = new EntrySigner(origin, key, VectorOptions(vector));
        var sigs = new System.Text.StringBuilder();
        var body = new MemoryStream();

        var entry = await signer.SignBodyAsync(
            new MemoryStream(Manifest.File(vector, "body")),
            (block, data, _) =>
            {
                Assert.Equal(body.Length, block.Offset);
                Assert.Equal(data.Length, block.Size);
                body.Write(data.Span);
                sigs.Append(SigsLine(block));
                return ValueTask.CompletedTask;
            },
            TestContext.Current.CancellationToken);

        Assert.Equal(Text(Manifest.File(vector, "stored_head")), Text(HeadText.Write(entry.StoredHead)));
        Assert.Equal(Text(Manifest.File(vector, "sigs")), sigs.ToString());
        Assert.Equal(Manifest.File(vector, "body"), body.ToArray());
        Assert.Equal(Manifest.Vector(vector).GetProperty("data_size").GetInt64(), entry.DataSize);
        Assert.Equal(Manifest.Vector(vector).GetProperty("blocks_count").GetInt64(), entry.BlockCount);
        Assert.Equal(Manifest.Vector(vector).String("digest"), entry.Digest.Format());
        Assert.Equal(Manifest.Vector(vector).String("x_ouinet_sig1"), entry.FullSignature.Format());
    }

    [Fact(Timeout = 10_000)]
    public async Task The_upstream_signing_reader_stream_is_reproduced_with_Sig1_created_a_second_later()
    {
        var (key, options) = UpstreamSigning();
        using (key)
        {
            var origin = HeadText.ParseResponse(VectorHeads.Upstream("origin-head.txt"));

            var stream = await SignAsync(origin, new MemoryStream(VectorHeads.Upstream("body.bin")), key, options, TestContext.Current.CancellationToken);

            Assert.Equal(Text(VectorHeads.Upstream("signed-stream-signingreader.bin")), Text(stream));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task The_upstream_empty_body_ends_with_the_same_zero_length_block_signature_and_trailer()
    {
        var (key, options) = UpstreamSigning();
        using (key)
        {
            var origin = HeadText.ParseResponse(VectorHeads.Upstream("origin-head-empty.txt"));

            var stream = Text(await SignAsync(origin, new MemoryStream(), key, options, TestContext.Current.CancellationToken));

            // Our head is canonical (no Content-Disposition), so only Sig1's value differs from upstream's.
            var expected = Text(VectorHeads.Upstream("signed-stream-empty.bin"));
            Assert.Equal(BodyLines(expected)[..3], BodyLines(stream)[..3]);
            Assert.StartsWith("0;ouisig=\"", BodyLines(stream)[0], StringComparison.Ordinal);
        }

        static string[] BodyLines(string message) => message[(message.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Split("\r\n");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_HEAD_request_gets_the_signed_head_and_no_body()
    {
        using var key = TestKeys.Trusted();
        var options = VectorOptions("hello") with { RequestMethod = "HEAD" };
        var origin = VectorHeads.Head("hello", "origin_response");
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output);

        var entry = await ResponseSigner.SignAsync(origin, new MemoryStream(), key, options, writer, TestContext.Current.CancellationToken);
        await writer.CompleteAsync();

        Assert.Null(entry);
        Assert.Equal(Text(Manifest.File("hello", "injector_head")), Text(output.ToArray()));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(204)]
    [InlineData(304)]
    public async Task A_status_without_a_body_gets_the_signed_head_alone(int status)
    {
        using var key = TestKeys.Trusted();
        var origin = VectorHeads.Head("hello", "origin_response");
        origin.StatusCode = status;
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output);

        var entry = await ResponseSigner.SignAsync(origin, new MemoryStream(), key, VectorOptions("hello"), writer, TestContext.Current.CancellationToken);
        await writer.CompleteAsync();

        var text = Text(output.ToArray());
        Assert.Null(entry);
        Assert.StartsWith($"HTTP/1.1 {status} ", text, StringComparison.Ordinal);
        Assert.Contains("X-Ouinet-Sig0: ", text, StringComparison.Ordinal);
        Assert.Equal(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4, text.Length);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("empty")]
    [InlineData("redirect")]
    [InlineData("aligned")]
    public void Complete_signature_only_responses_are_reproduced_in_both_framings(string vector)
    {
        using var key = TestKeys.Trusted();
        var origin = VectorHeads.Head(vector, "origin_response");
        var body = Manifest.File(vector, "body");
        var chunked = new ArrayBufferWriter<byte>();
        var contentLength = new ArrayBufferWriter<byte>();

        CompleteResponseSigner.Write(chunked, origin, body, key, VectorOptions(vector), CompleteResponseFraming.Chunked);
        CompleteResponseSigner.Write(contentLength, origin, body, key, VectorOptions(vector), CompleteResponseFraming.ContentLength);

        Assert.Equal(Text(Manifest.File(vector, "full_chunked")), Text(chunked.WrittenSpan.ToArray()));
        Assert.Equal(Text(Manifest.File(vector, "full_content_length")), Text(contentLength.WrittenSpan.ToArray()));
    }

    [Fact(Timeout = 10_000)]
    public async Task Block_0_goes_out_before_the_origin_body_has_ended()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var options = VectorOptions("big");
        var origin = new Pipe();
        var output = new Pipe();
        var signing = ResponseSigner.SignAsync(VectorHeads.Head("big", "origin_response"), origin.Reader.AsStream(), key, options, output.Writer, ct).AsTask();

        // The origin sends block 0 and a little more, then stalls.
        await origin.Writer.WriteAsync(new byte[options.BlockSize + 10], ct);
        var seen = await ReadUntilAsync(output.Reader, Bytes($"\r\n10000\r\n"), ct);

        Assert.False(signing.IsCompleted);
        Assert.Contains($"X-Ouinet-Sig0:", Text(seen), StringComparison.Ordinal);

        await origin.Writer.CompleteAsync();
        await signing;
        await output.Writer.CompleteAsync();
    }

    /// <summary>Reads the pipe until <paramref name="marker"/> has been seen and enough bytes follow it for one block.</summary>
    private static async Task<byte[]> ReadUntilAsync(PipeReader reader, byte[] marker, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var bytes = result.Buffer.ToArray();
            var at = bytes.AsSpan().IndexOf(marker);
            if (at >= 0 && bytes.Length >= at + marker.Length + 65536)
            {
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }
            Assert.False(result.IsCompleted, "the signer ended without sending block 0");
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static (InjectorPrivateKey Key, ResponseSigningOptions Options) UpstreamSigning()
    {
        var upstream = VectorHeads.UpstreamVector();
        var ts = upstream.GetProperty("injection_ts").GetInt64();
        var key = InjectorPrivateKey.FromSeed(Convert.FromBase64String(upstream.GetProperty("key").String("seed_b64")));
        return (key, new ResponseSigningOptions
        {
            Uri = "https://example.com/foo",
            Injection = new InjectionHeader(upstream.String("injection_id"), ts),
            TimeProvider = new FixedTime(ts + 1),
        });
    }
}
