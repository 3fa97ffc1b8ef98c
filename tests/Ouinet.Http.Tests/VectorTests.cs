namespace Ouinet.Http.Tests;

/// <summary>The real Ouinet streams of <c>tests/vectors</c>: parsed as expected, and re-written byte for byte.</summary>
public class VectorTests
{
    public static TheoryData<string> CppFormMessages() =>
    [
        .. Directory.GetFiles(TestPaths.Vector("vectors"), "*.http", SearchOption.AllDirectories)
            .Where(p => !Path.GetFileName(p).Contains("head", StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).Contains("spec-ext-style", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(TestPaths.Vector("vectors"), p))
            .Order(StringComparer.Ordinal),
    ];

    [Fact(Timeout = 10000)]
    public async Task HelloInjectorStream_HasChunks5_5_2_ThenEndWithOuisigAndSignatureTrailers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Vector("hello", "injector-stream.http"));
        var head = await reader.ReadResponseHeadAsync(ct);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("X-Ouinet-Data-Size, Digest, X-Ouinet-Sig1", head.Fields["Trailer"]);

        var body = await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, "GET"), ct);

        Assert.Equal(BodyFraming.Chunked, body.Framing);
        Assert.Equal([5L, 5L, 2L], body.Chunks.Select(c => c.Size));
        Assert.Equal(["Hello", " worl", "d!"], body.Chunks.Select(c => Wire.Text(c.Data)));
        Assert.Empty(body.Chunks[0].Extensions);
        Assert.Equal(
            "UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==",
            Assert.Single(body.Chunks[1].Extensions, e => e.Name == "ouisig").Value);
        var last = Assert.Single(body.EndExtensions);
        Assert.Equal(
            new ChunkExtension("ouisig", "x4KZSekvN+YzhVE1QmBRUyLVCWL4DULMFRC9BZcIUKSfp9lDcPvysGWSFKbgC7TroGPK8u7hmBLpfvUGa9CPBQ=="), last);
        Assert.NotNull(body.Trailers);
        Assert.Equal(["X-Ouinet-Data-Size", "Digest", "X-Ouinet-Sig1"], body.Trailers.Select(f => f.Name));
        Assert.Equal("12", body.Trailers["x-ouinet-data-size"]);
        Assert.Equal(Wire.Vector("hello", "body.bin"), body.Data);
    }

    [Fact(Timeout = 10000)]
    public async Task SpecExtStyleStream_WithUnquotedBase64Ouisig_GivesTheSameSignatures()
    {
        var ct = TestContext.Current.CancellationToken;
        var cpp = await ReadBodyAsync(Wire.Vector("hello", "injector-stream.http"), ct);
        var spec = await ReadBodyAsync(Wire.Vector("hello", "injector-stream-spec-ext-style.http"), ct);

        Assert.Equal(cpp.Chunks.Select(c => (c.Size, Sigs(c.Extensions))), spec.Chunks.Select(c => (c.Size, Sigs(c.Extensions))));
        Assert.Equal(cpp.EndExtensions, spec.EndExtensions);
        Assert.Equal(cpp.Data, spec.Data);

        static string Sigs(IReadOnlyList<ChunkExtension> ext) => string.Join(",", ext.Select(e => $"{e.Name}={e.Value}"));
    }

    [Fact(Timeout = 10000)]
    public async Task BigInjectorStream_Has64KiBChunks_AndTheWholeBody()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = await ReadBodyAsync(Wire.Vector("big", "injector-stream.http"), ct);
        Assert.Equal(Wire.Vector("big", "body.bin"), body.Data);
        Assert.All(body.Chunks.SkipLast(1), c => Assert.Equal(65536, c.Size));
        Assert.All(body.Chunks.Skip(1), c => Assert.Contains(c.Extensions, e => e.Name == "ouisig"));
        Assert.Contains(body.EndExtensions, e => e.Name == "ouisig");
    }

    [Fact(Timeout = 10000)]
    public async Task BigOriginResponse_IsChunked_AndGivesTheBody()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = await ReadBodyAsync(Wire.Vector("big", "origin-response.http"), ct);
        Assert.Equal(BodyFraming.Chunked, body.Framing);
        Assert.Equal(Wire.Vector("big", "body.bin"), body.Data);
        Assert.Empty(body.EndExtensions);
    }

    [Theory(Timeout = 10000)]
    [MemberData(nameof(CppFormMessages))]
    public async Task CppFormMessage_IsReproducedByteForByte_ByHttpWriter(string relativePath)
    {
        var ct = TestContext.Current.CancellationToken;
        var original = File.ReadAllBytes(TestPaths.Vector("vectors", relativePath));
        var rewritten = await Messages.RewriteResponseAsync(original, ct, maxPerRead: 1000);
        Assert.Equal(Wire.Text(original), Wire.Text(rewritten));
    }

    [Fact(Timeout = 10000)]
    public async Task SpecExtStyleStream_IsRewrittenWithQuotedOuisig_LikeTheCppForm()
    {
        var ct = TestContext.Current.CancellationToken;
        var rewritten = Wire.Text(await Messages.RewriteResponseAsync(Wire.Vector("hello", "injector-stream-spec-ext-style.http"), ct));
        Assert.Contains("\r\n5;ouisig=\"UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==\"\r\n", rewritten, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10000)]
    [InlineData("neg-truncated-before-last-chunk.http")]
    [InlineData("neg-truncated-content-length.http")]
    [InlineData("neg-truncated-midstream.http")]
    public async Task TruncatedNegativeVector_IsUnexpectedEndOfStream(string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var data = File.ReadAllBytes(TestPaths.Vector("negative", file));
        var e = await Assert.ThrowsAsync<HttpParseException>(() => Messages.ResponseTranscriptAsync(data, ct));
        Assert.Equal((HttpParseError.UnexpectedEndOfStream, 502), (e.Error, e.StatusCode));
    }

    private static async Task<BodyTranscript> ReadBodyAsync(byte[] data, CancellationToken ct)
    {
        await using var reader = Wire.Reader(data);
        var head = await reader.ReadResponseHeadAsync(ct);
        return await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, "GET"), ct);
    }
}
