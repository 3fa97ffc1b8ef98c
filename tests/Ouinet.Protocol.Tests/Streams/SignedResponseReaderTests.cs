using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

public class SignedResponseReaderTests
{
    private static readonly InjectorPublicKey Trusted = TestKeys.Trusted().PublicKey;

    [Fact(Timeout = 10_000)]
    public async Task A_genuine_entry_for_another_URI_is_refused()
    {
        var outcome = await VerifyAsync(Manifest.File("hello", "peer_stream"), Trusted, TestContext.Current.CancellationToken, new SignedResponseOptions { ExpectedUri = "https://example.com/other" });

        Assert.Equal(OuinetVerificationError.UriMismatch, outcome.Code);
        Assert.Equal("E_URI", outcome.Code?.ToCode());
    }

    [Fact(Timeout = 10_000)]
    public async Task The_expected_URI_is_accepted()
    {
        var outcome = await VerifyAsync(Manifest.File("hello", "peer_stream"), Trusted, TestContext.Current.CancellationToken, new SignedResponseOptions { ExpectedUri = "https://example.com/hello" });

        Assert.True(outcome.Succeeded, outcome.ToString());
    }

    [Theory(Timeout = 10_000)]
    [InlineData("full_chunked")]
    [InlineData("full_content_length")]
    public async Task Streaming_only_refuses_complete_signature_only_responses_before_their_body(string file)
    {
        var outcome = await VerifyAsync(Manifest.File("hello", file), Trusted, TestContext.Current.CancellationToken, new SignedResponseOptions { AllowCompleteOnly = false });

        Assert.Equal(OuinetVerificationError.CppForm, outcome.Code);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("full_chunked")]
    [InlineData("full_content_length")]
    public async Task A_complete_signature_only_body_over_the_spool_limit_is_refused(string file)
    {
        var outcome = await VerifyAsync(Manifest.File("hello", file), Trusted, TestContext.Current.CancellationToken, new SignedResponseOptions { MaxSpoolBytes = 11 });

        Assert.Equal(OuinetVerificationError.TooLarge, outcome.Code);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_complete_signature_only_body_is_released_only_after_it_verified()
    {
        var message = Text(Manifest.File("hello", "full_chunked")).Replace("Hello world!", "Hello World!", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.Digest, outcome.Code);
        Assert.Equal(0, outcome.Body.Length);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_unsigned_response_is_refused_before_its_body_so_it_can_still_be_served()
    {
        await using var http = HttpMessageReader.Create(new MemoryStream(Manifest.File("hello", "origin_response")));
        var head = await http.ReadResponseHeadAsync(TestContext.Current.CancellationToken);
        var body = http.ReadResponseBody(head, "GET");

        var error = await Assert.ThrowsAsync<OuinetVerificationException>(() => SignedResponseReader.OpenAsync(head, body, Trusted, null, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(OuinetVerificationError.Unsigned, error.Error);
        Assert.Equal("Hello world!", await new StreamReader(body.AsStream()).ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_stream_without_a_head_signature_is_a_signature_format_error()
    {
        var message = RemoveLine(Text(Manifest.File("hello", "injector_stream")), "X-Ouinet-Sig0:");

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.SignatureFormat, outcome.Code);
    }

    [Fact(Timeout = 10_000)]
    public async Task Without_Sig0_the_heads_Sig1_must_cover_the_block_signatures()
    {
        var message = RemoveLine(Text(Manifest.File("hello", "peer_stream_spec_form")), "X-Ouinet-Sig0:");

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.Coverage, outcome.Code);
    }

    [Fact(Timeout = 10_000)]
    public async Task Block_signatures_under_another_key_are_refused_before_any_block()
    {
        using var other = TestKeys.Other();
        var message = Text(Manifest.File("hello", "injector_stream_spec_form")).Replace(
            $"X-Ouinet-BSigs: keyId=\"{Trusted.KeyId}\"", $"X-Ouinet-BSigs: keyId=\"{other.PublicKey.KeyId}\"", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.KeyId, outcome.Code);
        Assert.Empty(outcome.Blocks);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public async Task Any_chunking_is_accepted_while_signatures_sit_at_block_boundaries(int chunk)
    {
        var fixture = await SignedFixture.CreateAsync(RandomBody(1000, 1), 128, TestContext.Current.CancellationToken);
        var wire = fixture.Wire((_, length) => Split(length, chunk));

        var outcome = await VerifyAsync(wire, Trusted, TestContext.Current.CancellationToken, maxPerRead: 100);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(fixture.Body, outcome.Body.ToArray());
        Assert.Equal(fixture.Blocks.Count, outcome.BlockCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_chunk_crossing_a_block_boundary_is_a_chunk_format_error()
    {
        var fixture = await SignedFixture.CreateAsync(RandomBody(300, 2), 128, TestContext.Current.CancellationToken);
        var wire = Text(fixture.Wire());
        // Merge blocks 0 and 1 into one chunk: block 0's signature loses its line.
        var sig0 = Convert.ToBase64String(fixture.Blocks[0].Block.Signature.Span);
        wire = wire.Replace("80\r\n", "100\r\n", StringComparison.Ordinal)
            .Replace($"\r\n80;ouisig=\"{sig0}\"\r\n", string.Empty, StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(wire), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.ChunkFormat, outcome.Code);
        Assert.Empty(outcome.Blocks);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_signature_that_comes_a_line_late_leaves_its_block_unsigned()
    {
        var fixture = await SignedFixture.CreateAsync(RandomBody(300, 3), 128, TestContext.Current.CancellationToken);
        var wire = Text(fixture.Wire((k, length) => k == 1 ? [64, 64] : [length]));
        // Move block 0's signature one line later, into the middle of block 1.
        var sig0 = Convert.ToBase64String(fixture.Blocks[0].Block.Signature.Span);
        wire = wire.Replace($"40;ouisig=\"{sig0}\"\r\n", "40\r\n", StringComparison.Ordinal);
        var at = wire.IndexOf("40\r\n", wire.IndexOf("40\r\n", StringComparison.Ordinal) + 4, StringComparison.Ordinal);
        wire = wire[..at] + $"40;ouisig=\"{sig0}\"\r\n" + wire[(at + 4)..];

        var outcome = await VerifyAsync(Bytes(wire), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.MissingBlockSignature, outcome.Code);
        Assert.Equal(0, ((OuinetVerificationException)outcome.Error!).BlockIndex);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_signature_inside_a_block_is_a_chunk_format_error()
    {
        var fixture = await SignedFixture.CreateAsync(RandomBody(300, 3), 128, TestContext.Current.CancellationToken);
        var wire = Text(fixture.Wire((k, length) => k == 1 ? [64, 64] : [length]));
        // Block 1 is cut in two chunks; the second chunk's line gets a (well-formed) signature it has no business carrying.
        var sig0 = Convert.ToBase64String(fixture.Blocks[0].Block.Signature.Span);
        var at = wire.IndexOf("40\r\n", wire.IndexOf("40;", StringComparison.Ordinal) + 4, StringComparison.Ordinal);
        wire = wire[..at] + $"40;ouisig=\"{sig0}\"\r\n" + wire[(at + 4)..];

        var outcome = await VerifyAsync(Bytes(wire), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.ChunkFormat, outcome.Code);
        Assert.Equal(1, ((OuinetVerificationException)outcome.Error!).BlockIndex);
        Assert.Single(outcome.Blocks);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_wrong_ouihash_next_to_ouisig_is_a_chain_error()
    {
        var message = Text(Manifest.File("hello", "peer_stream"));
        var ch0 = Manifest.Vector("hello").GetProperty("blocks")[0].String("chained_hash_b64");
        var ch1 = Manifest.Vector("hello").GetProperty("blocks")[1].String("chained_hash_b64");
        message = message.Replace($"ouihash=\"{ch1}\"", $"ouihash=\"{ch0}\"", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.Chain, outcome.Code);
        Assert.Equal(2, ((OuinetVerificationException)outcome.Error!).BlockIndex);
        Assert.Equal(2, outcome.Blocks.Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_ouihash_without_its_ouisig_is_a_chunk_format_error()
    {
        var ch0 = Manifest.Vector("hello").GetProperty("blocks")[0].String("chained_hash_b64");
        var message = Text(Manifest.File("hello", "injector_stream")).Replace("\r\n5\r\nHello", $"\r\n5;ouihash=\"{ch0}\"\r\nHello", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.ChunkFormat, outcome.Code);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_forged_block_never_comes_out_but_the_blocks_before_it_do()
    {
        var fixture = await SignedFixture.CreateAsync(RandomBody(1000, 4), 256, TestContext.Current.CancellationToken);
        var wire = fixture.Wire();
        var block2 = wire.AsSpan().IndexOf(fixture.Blocks[2].Data);
        wire[block2 + 17] ^= 0x40;
        var pipe = new Pipe();
        await using var http = new HttpMessageReader(pipe.Reader);
        await pipe.Writer.WriteAsync(wire, TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();
        var head = await http.ReadResponseHeadAsync(TestContext.Current.CancellationToken);
        using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), Trusted, null, TestContext.Current.CancellationToken);

        var block0 = await reader.ReadBlockAsync(TestContext.Current.CancellationToken);
        Assert.Equal(fixture.Blocks[0].Data, block0!.Value.Data.ToArray());
        var block1 = await reader.ReadBlockAsync(TestContext.Current.CancellationToken);
        Assert.Equal(fixture.Blocks[1].Data, block1!.Value.Data.ToArray());
        var error = await Assert.ThrowsAsync<OuinetVerificationException>(() => reader.ReadBlockAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(OuinetVerificationError.BlockSignature, error.Error);
        Assert.Equal(2, error.BlockIndex);
        var again = await Assert.ThrowsAsync<OuinetVerificationException>(() => reader.ReadBlockAsync(TestContext.Current.CancellationToken).AsTask());
        Assert.Same(error, again);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_range_that_does_not_cover_the_requested_bytes_is_refused()
    {
        var outcome = await VerifyAsync(Manifest.File("hello", "range_6_11_spec_form"), Trusted, TestContext.Current.CancellationToken,
            new SignedResponseOptions { RequestedRange = new RequestedRange(2, 3) });

        Assert.Equal(OuinetVerificationError.Range, outcome.Code);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(6, 11L)]
    [InlineData(5, null)]
    [InlineData(9, 100L)]
    public async Task A_range_that_covers_the_requested_bytes_is_accepted(long first, long? last)
    {
        var outcome = await VerifyAsync(File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "range-6-11.http")), Trusted, TestContext.Current.CancellationToken,
            new SignedResponseOptions { RequestedRange = new RequestedRange(first, last) });

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("bytes 5-11/12", outcome.Range?.ContentRange);
        Assert.Equal("206", outcome.Head!.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("bytes 5-11/12", outcome.Head.Fields.Get("Content-Range"));
        Assert.Null(outcome.StoredHead);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("Content-Range: bytes 5-11/12", "Content-Range: bytes 6-11/12")]
    [InlineData("Content-Range: bytes 5-11/12", "Content-Range: bytes 5-11/13")]
    [InlineData("Content-Type: text/plain", "Content-Type: multipart/byteranges; boundary=x")]
    [InlineData("Content-Range: bytes 5-11/12\r\n", "")]
    [InlineData("X-Ouinet-HTTP-Status: 200\r\n", "")]
    public async Task An_inconsistent_206_is_a_range_error(string from, string to)
    {
        var message = Text(File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "range-6-11.http"))).Replace(from, to, StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Contains(outcome.Code, new OuinetVerificationError?[] { OuinetVerificationError.Range, OuinetVerificationError.FullSignature });
    }

    [Fact(Timeout = 10_000)]
    public async Task A_206_with_more_data_than_its_range_is_refused()
    {
        var message = Text(File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "range-6-11.http"))).Replace("2;ouisig", "3;ouisig", StringComparison.Ordinal).Replace("\r\nd!\r\n", "\r\nd!!\r\n", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.Range, outcome.Code);
        Assert.Single(outcome.Blocks);
    }

    [Fact(Timeout = 10_000)]
    public async Task The_empty_body_may_sign_its_zero_length_block_once_but_not_twice()
    {
        var message = Text(Manifest.File("empty", "injector_stream"));
        var line = message.Split("\r\n").Single(l => l.StartsWith("0;ouisig=", StringComparison.Ordinal));
        var twice = message.Replace(line, line + line[1..], StringComparison.Ordinal);

        var once = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);
        var extra = await VerifyAsync(Bytes(twice), Trusted, TestContext.Current.CancellationToken);

        Assert.Single(once.Blocks);
        Assert.Equal(0, once.Blocks[0].Size);
        Assert.Equal(OuinetVerificationError.SignatureCount, extra.Code);
    }

    private static string RemoveLine(string message, string prefix)
    {
        var start = message.IndexOf("\r\n" + prefix, StringComparison.Ordinal) + 2;
        return message[..start] + message[(message.IndexOf("\r\n", start, StringComparison.Ordinal) + 2)..];
    }

    private static int[] Split(int length, int chunk) =>
        [.. Enumerable.Range(0, (length + chunk - 1) / chunk).Select(i => Math.Min(chunk, length - (i * chunk)))];

    internal static byte[] RandomBody(int length, int seed)
    {
        var body = new byte[length];
        new Random(seed).NextBytes(body);
        return body;
    }
}
