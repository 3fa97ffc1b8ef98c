using System.Buffers;
using System.IO.Pipelines;

namespace Ouinet.Http.Tests;

/// <summary>
/// The streaming reader on inputs arriving in pieces: same result whatever the pieces, truncation told apart
/// from malformed input, bodies streamed rather than held, keep-alive, and hand-over of the connection.
/// </summary>
public class MessageReaderStreamingTests
{
    private const string ChunkedRequest =
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "3;a=\"x\\\"y\"\r\nabc\r\n1\r\nd\r\n0;ouisig=A/b+==\r\nT1: v1\r\nT2: v2\r\n\r\n";

    [Theory(Timeout = 10000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task ChunkedResponse_ArrivingInPiecesOfAnySize_GivesTheSameTranscript(int maxPerRead)
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var file in new[] { "injector-stream.http", "injector-stream-spec-ext-style.http", "peer-stream.http" })
        {
            var data = Wire.Vector("hello", file);
            var whole = await Messages.ResponseTranscriptAsync(data, ct);
            Assert.Equal(whole, await Messages.ResponseTranscriptAsync(data, ct, maxPerRead));
        }
    }

    [Theory(Timeout = 10000)]
    [InlineData(1)]
    [InlineData(5)]
    public async Task ChunkedRequest_ArrivingInPieces_GivesTheSameTranscript(int maxPerRead)
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Wire.Bytes(ChunkedRequest);
        var whole = await Messages.RequestTranscriptAsync(data, ct);
        Assert.Contains("chunk 3;a=[x\"y]", whole, StringComparison.Ordinal);
        Assert.Contains("end;ouisig=[A/b+==]", whole, StringComparison.Ordinal);
        Assert.Equal(whole, await Messages.RequestTranscriptAsync(data, ct, maxPerRead));
    }

    [Fact(Timeout = 10000)]
    public async Task PipeFedOneByteAtATime_GivesTheSameTranscript()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Wire.Vector("hello", "injector-stream.http");
        var pipe = new Pipe();
        var feeding = Task.Run(async () =>
        {
            for (var i = 0; i < data.Length; i++)
            {
                await pipe.Writer.WriteAsync(data.AsMemory(i, 1), ct);
            }
            await pipe.Writer.CompleteAsync();
        }, ct);

        await using var reader = new HttpMessageReader(pipe.Reader);
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, "GET"), ct);
        await feeding;

        Assert.Equal(await Messages.ResponseTranscriptAsync(data, ct), Heads.Describe(head) + body);
    }

    [Fact(Timeout = 10000)]
    public async Task EveryTruncation_OfChunkedResponses_IsUnexpectedEndOfStream()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var file in new[] { "injector-stream.http", "injector-stream-spec-ext-style.http" })
        {
            var data = Wire.Vector("hello", file);
            for (var k = 0; k < data.Length; k++)
            {
                var e = await Assert.ThrowsAsync<HttpParseException>(() => Messages.ResponseTranscriptAsync(data[..k], ct));
                Assert.Equal((HttpParseError.UnexpectedEndOfStream, 502), (e.Error, e.StatusCode));
            }
        }
    }

    [Theory(Timeout = 10000)]
    [InlineData(ChunkedRequest)]
    [InlineData("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")]
    public async Task EveryTruncation_OfARequest_IsUnexpectedEndOfStream_OrACleanEndBeforeIt(string text)
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Wire.Bytes(text);
        Assert.Null(await Messages.RequestTranscriptAsync([], ct));
        for (var k = 1; k < data.Length; k++)
        {
            var e = await Assert.ThrowsAsync<HttpParseException>(() => Messages.RequestTranscriptAsync(data[..k], ct));
            Assert.Equal((HttpParseError.UnexpectedEndOfStream, 400), (e.Error, e.StatusCode));
        }
        Assert.NotNull(await Messages.RequestTranscriptAsync(data, ct));
    }

    [Fact(Timeout = 10000)]
    public async Task ChunkData_IsStreamedAsItArrives_NotHeldForTheWholeChunk()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Vector("big", "injector-stream.http"), maxPerRead: 1000);
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = reader.ReadResponseBody(head, "GET");
        var first = await body.ReadAsync(ct);
        Assert.Equal((HttpBodyPartKind.ChunkHeader, 65536L), (first.Kind, first.ChunkSize));
        long largest = 0, parts = 0;
        HttpBodyPart part;
        while ((part = await body.ReadAsync(ct)).Kind != HttpBodyPartKind.End)
        {
            if (part.Kind == HttpBodyPartKind.Data)
            {
                largest = Math.Max(largest, part.Data.Length);
                parts++;
            }
        }
        Assert.True(largest <= 1000, $"A data part of {largest} bytes: more than one read brought.");
        Assert.True(parts >= 204800 / 1000);
    }

    [Fact(Timeout = 10000)]
    public async Task TruncationInsideChunkData_DeliversWhatArrived_ThenUnexpectedEndOfStream()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Wire.Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234");
        await using var reader = Wire.Reader(data);
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = reader.ReadResponseBody(head, "GET");
        Assert.Equal(HttpBodyPartKind.ChunkHeader, (await body.ReadAsync(ct)).Kind);
        var part = await body.ReadAsync(ct);
        Assert.Equal("01234", Wire.Text(part.Data.ToArray()));
        var e = await Assert.ThrowsAsync<HttpParseException>(async () => await body.ReadAsync(ct));
        Assert.Equal(HttpParseError.UnexpectedEndOfStream, e.Error);
    }

    [Fact(Timeout = 10000)]
    public async Task KeepAlive_SeveralResponses_AreReadOneAfterAnother()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Wire.Concat(
            Wire.Vector("hello", "injector-stream.http"),
            Wire.Bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
            Wire.Bytes("HTTP/1.1 304 Not Modified\r\n\r\n"),
            Wire.Vector("big", "origin-response.http"));
        await using var reader = Wire.Reader(data, maxPerRead: 777);
        var sizes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var head = await reader.ReadResponseHeadAsync(ct);
            sizes.Add((await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, "GET"), ct)).Data.Length);
        }
        Assert.Equal([12, 3, 0, 204800], sizes);
        var e = await Assert.ThrowsAsync<HttpParseException>(async () => await reader.ReadResponseHeadAsync(ct));
        Assert.Equal(HttpParseError.UnexpectedEndOfStream, e.Error);
    }

    [Theory(Timeout = 10000)]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n")]
    public async Task RequestStream_EndingBetweenRequests_GivesNull(string tail)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("GET / HTTP/1.1\r\nHost: h\r\n\r\n" + tail);
        var head = await reader.ReadRequestHeadAsync(ct);
        await reader.ReadRequestBody(head!).DrainAsync(ct);
        Assert.Null(await reader.ReadRequestHeadAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task AsStream_GivesTheDataOnly_ThenTrailersAndLastChunkExtensions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Vector("hello", "injector-stream.http"), maxPerRead: 10);
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = reader.ReadResponseBody(head, "GET");
        await using var stream = body.AsStream();
        using var text = new StreamReader(stream, System.Text.Encoding.Latin1);

        Assert.Equal("Hello world!", await text.ReadToEndAsync(ct));
        Assert.True(body.IsCompleted);
        Assert.Equal("ouisig", Assert.Single(body.LastChunkExtensions).Name);
        Assert.Equal(3, body.Trailers?.Count);
    }

    [Fact(Timeout = 10000)]
    public async Task AsStream_WithATinyBuffer_ReadsEveryByte()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Vector("big", "injector-stream.http"), maxPerRead: 5000);
        var head = await reader.ReadResponseHeadAsync(ct);
        await using var stream = reader.ReadResponseBody(head, "GET").AsStream();
        var output = new MemoryStream();
        var buffer = new byte[3];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            output.Write(buffer, 0, n);
        }
        Assert.Equal(Wire.Vector("big", "body.bin"), output.ToArray());
    }

    [Fact(Timeout = 10000)]
    public async Task AsStream_CopyToAsync_CopiesTheBody()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Vector("big", "origin-response.http"), maxPerRead: 3000);
        var head = await reader.ReadResponseHeadAsync(ct);
        await using var stream = reader.ReadResponseBody(head, "GET").AsStream();
        var output = new MemoryStream();
        await stream.CopyToAsync(output, ct);
        Assert.Equal(Wire.Vector("big", "body.bin"), output.ToArray());
    }

    [Fact(Timeout = 10000)]
    public async Task DrainAsync_LeavesTheReaderAtTheNextMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader(Wire.Bytes(ChunkedRequest + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"), maxPerRead: 4);
        var head = await reader.ReadRequestHeadAsync(ct);
        var body = reader.ReadRequestBody(head!);
        await body.DrainAsync(ct);
        Assert.Equal("v2", body.Trailers?["t2"]);
        Assert.Equal("/next", (await reader.ReadRequestHeadAsync(ct))?.Target);
    }

    [Fact(Timeout = 10000)]
    public async Task ReadingTheNextHead_BeforeTheBodyIsRead_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab");
        var head = await reader.ReadRequestHeadAsync(ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadRequestHeadAsync(ct));
        var body = reader.ReadRequestBody(head!);
        Assert.Throws<InvalidOperationException>(() => reader.ReadRequestBody(head!));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadRequestHeadAsync(ct));
        await body.DrainAsync(ct);
        Assert.Null(await reader.ReadRequestHeadAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task DetachInput_AfterConnect_GivesTheBytesThatFollowTheHead()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\u0016\u0003\u0001TLS hello", maxPerRead: 20);
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.Equal(RequestTargetForm.Authority, head!.TargetForm);

        var input = reader.DetachInput();
        var tunnel = new MemoryStream();
        await input.CopyToAsync(tunnel, ct);
        Assert.Equal("\u0016\u0003\u0001TLS hello", Wire.Text(tunnel.ToArray()));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.ReadRequestHeadAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task DetachInput_InTheMiddleOfABody_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var reader = Wire.Reader("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab");
        var head = await reader.ReadRequestHeadAsync(ct);
        var body = reader.ReadRequestBody(head!);
        Assert.Equal("ab", Wire.Text((await body.ReadAsync(ct)).Data.ToArray()));
        Assert.Throws<InvalidOperationException>(() => reader.DetachInput());
        await reader.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await body.ReadAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task DetachInput_AfterA101Response_GivesTheUpgradedProtocolBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0002hi");
        Assert.Equal(101, (await reader.ReadResponseHeadAsync(ct)).StatusCode);
        var result = await reader.DetachInput().ReadAtLeastAsync(4, ct);
        Assert.Equal("\u0081\u0002hi", Wire.Text(result.Buffer.ToArray()));
    }

    [Fact(Timeout = 10000)]
    public async Task Cancellation_WhileWaitingForAHead_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var pipe = new Pipe();
        await using var reader = new HttpMessageReader(pipe.Reader);
        var pending = reader.ReadRequestHeadAsync(cts.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact(Timeout = 10000)]
    public async Task LongHeadTrickledOneByteAtATime_IsParsedQuickly()
    {
        // 60 KB in one field line: rescanning it on every byte would take minutes.
        var ct = TestContext.Current.CancellationToken;
        var text = $"GET / HTTP/1.1\r\nHost: h\r\nX-Long: {new string('a', 60_000)}\r\n\r\n";
        await using var reader = Wire.Reader(text, maxPerRead: 1);
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.Equal(60_000, head!.Fields["x-long"]!.Length);
    }
}
