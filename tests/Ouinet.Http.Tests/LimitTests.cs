using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Ouinet.Http.Tests;

/// <summary>Each limit of <see cref="HttpLimits"/> just met (accepted) and just exceeded (rejected), with the right status.</summary>
public class LimitTests
{
    private static readonly HttpLimits Defaults = HttpLimits.Default;

    /// <summary>A request head of exactly <paramref name="length"/> bytes, padded in one field value.</summary>
    private static string RequestHeadOfLength(int length)
    {
        const string start = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";
        return start + new string('p', length - start.Length - 4) + "\r\n\r\n";
    }

    private static string ResponseHeadOfLength(int length)
    {
        const string start = "HTTP/1.1 200 OK\r\nX-Pad: ";
        return start + new string('p', length - start.Length - 4) + "\r\n\r\n";
    }

    private static string WithFields(string startLine, int count) =>
        startLine + "\r\n" + string.Concat(Enumerable.Range(0, count).Select(i => i == 0 ? "Host: h\r\n" : $"F{i}: {i}\r\n")) + "\r\n";

    [Fact]
    public void DefaultLimits_AreThoseOfTheBrief()
    {
        Assert.Equal((65536, 100, 4096, 65536), (Defaults.MaxHeadBytes, Defaults.MaxFieldCount, Defaults.MaxChunkLineBytes, Defaults.MaxTrailerBytes));
    }

    [Fact]
    public void RequestHead_OfExactlyMaxHeadBytes_IsAccepted_OneMoreIs431()
    {
        var ok = RequestHeadOfLength(Defaults.MaxHeadBytes);
        Assert.Equal(Defaults.MaxHeadBytes, ok.Length);
        Assert.Equal(ok.Length - "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: \r\n\r\n".Length, Parse.Request(ok).Fields["x-pad"]!.Length);

        var e = Parse.RequestError(RequestHeadOfLength(Defaults.MaxHeadBytes + 1));
        Assert.Equal((HttpParseError.HeadTooLarge, 431), (e.Error, e.StatusCode));
    }

    [Fact]
    public void ResponseHead_OfExactlyMaxHeadBytes_IsAccepted_OneMoreIs502()
    {
        Assert.NotNull(Parse.Response(ResponseHeadOfLength(Defaults.MaxHeadBytes)));
        var e = Parse.ResponseError(ResponseHeadOfLength(Defaults.MaxHeadBytes + 1));
        Assert.Equal((HttpParseError.HeadTooLarge, 502), (e.Error, e.StatusCode));
    }

    [Fact]
    public void IncompleteHead_IsRejectedAsSoonAsItCannotFitAnyMore()
    {
        var prefix = Wire.Bytes(RequestHeadOfLength(Defaults.MaxHeadBytes + 10))[..Defaults.MaxHeadBytes];
        Assert.Null(Parse.TryRequest(new ReadOnlySequence<byte>(prefix, 0, prefix.Length - 1)));
        var e = Assert.Throws<HttpParseException>(() => Parse.TryRequest(new ReadOnlySequence<byte>(prefix)));
        Assert.Equal((HttpParseError.HeadTooLarge, 431), (e.Error, e.StatusCode));
    }

    [Fact(Timeout = 10000)]
    public async Task StreamingReader_RejectsAnEndlessHead_WithoutWaitingForItsEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        // No writer back-pressure, so that all of it is there to be read at once.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var lines = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Filler: 0123456789\r\n", 4000)));
        await pipe.Writer.WriteAsync(lines, ct);
        await using var reader = new HttpMessageReader(pipe.Reader);
        var e = await Assert.ThrowsAsync<HttpParseException>(async () => await reader.ReadRequestHeadAsync(ct));
        Assert.Equal((HttpParseError.HeadTooLarge, 431), (e.Error, e.StatusCode));
    }

    [Fact]
    public void MaxFieldCountFields_AreAccepted_OneMoreIs431ForARequest()
    {
        Assert.Equal(100, Parse.Request(WithFields("GET / HTTP/1.1", 100)).Fields.Count);
        var e = Parse.RequestError(WithFields("GET / HTTP/1.1", 101));
        Assert.Equal((HttpParseError.TooManyFields, 431), (e.Error, e.StatusCode));
    }

    [Fact]
    public void MaxFieldCountFields_AreAccepted_OneMoreIs502ForAResponse()
    {
        Assert.Equal(100, Parse.Response(WithFields("HTTP/1.1 200 OK", 100)).Fields.Count);
        var e = Parse.ResponseError(WithFields("HTTP/1.1 200 OK", 101));
        Assert.Equal((HttpParseError.TooManyFields, 502), (e.Error, e.StatusCode));
    }

    [Fact]
    public void ChunkLine_OfExactlyMaxChunkLineBytes_IsAccepted_OneMoreIsRejected()
    {
        string Line(int length) => "5;ouisig=\"" + new string('A', length - 13) + "\"\r\n";
        var ok = Line(Defaults.MaxChunkLineBytes);
        Assert.Equal(Defaults.MaxChunkLineBytes, ok.Length);
        Assert.Equal(5, Parse.ChunkHeader(ok)?.Size);

        var fromServer = Parse.ChunkHeaderError(Line(Defaults.MaxChunkLineBytes + 1), fromServer: true);
        Assert.Equal((HttpParseError.ChunkLineTooLarge, 502), (fromServer.Error, fromServer.StatusCode));
        var fromClient = Parse.ChunkHeaderError(Line(Defaults.MaxChunkLineBytes + 1), fromServer: false);
        Assert.Equal((HttpParseError.ChunkLineTooLarge, 400), (fromClient.Error, fromClient.StatusCode));
    }

    [Fact]
    public void IncompleteChunkLine_IsRejectedAsSoonAsItCannotFitAnyMore()
    {
        var garbage = new string('1', Defaults.MaxChunkLineBytes);
        Assert.Null(Parse.ChunkHeader(garbage[..^1]));
        Assert.Equal(HttpParseError.ChunkLineTooLarge, Parse.ChunkHeaderError(garbage).Error);
    }

    [Fact(Timeout = 10000)]
    public async Task StreamingReader_RejectsAnEndlessChunkLine_WithoutWaitingForItsEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Wire.Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=" + new string('y', 5000)), ct);
        await using var reader = new HttpMessageReader(pipe.Reader);
        var head = await reader.ReadResponseHeadAsync(ct);
        var e = await Assert.ThrowsAsync<HttpParseException>(async () => await reader.ReadResponseBody(head, "GET").DrainAsync(ct));
        Assert.Equal((HttpParseError.ChunkLineTooLarge, 502), (e.Error, e.StatusCode));
    }

    [Fact]
    public void TrailerSection_OfExactlyMaxTrailerBytes_IsAccepted_OneMoreIsRejected()
    {
        string Section(int length) => "X-Pad: " + new string('p', length - 11) + "\r\n\r\n";
        Assert.Single(Parse.Trailers(Section(Defaults.MaxTrailerBytes))!);

        var fromClient = Assert.Throws<HttpParseException>(() => Parse.Trailers(Section(Defaults.MaxTrailerBytes + 1), fromServer: false));
        Assert.Equal((HttpParseError.TrailerTooLarge, 431), (fromClient.Error, fromClient.StatusCode));
        var fromServer = Assert.Throws<HttpParseException>(() => Parse.Trailers(Section(Defaults.MaxTrailerBytes + 1), fromServer: true));
        Assert.Equal((HttpParseError.TrailerTooLarge, 502), (fromServer.Error, fromServer.StatusCode));
    }

    [Fact]
    public void MaxFieldCountTrailers_AreAccepted_OneMoreIsRejected()
    {
        string Section(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"T{i}: {i}\r\n")) + "\r\n";
        Assert.Equal(100, Parse.Trailers(Section(100))!.Count);
        var e = Assert.Throws<HttpParseException>(() => Parse.Trailers(Section(101)));
        Assert.Equal((HttpParseError.TooManyFields, 502), (e.Error, e.StatusCode));
    }

    private static readonly HttpLimits TenByteBodies = new() { MaxBodyBytes = 10 };

    [Theory(Timeout = 10000)]
    [InlineData("Content-Length: 10\r\n\r\n0123456789")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n")]
    public async Task RequestBody_OfExactlyMaxBodyBytes_IsAccepted(string rest)
    {
        var ct = TestContext.Current.CancellationToken;
        var t = await Messages.RequestTranscriptAsync(Wire.Bytes("POST / HTTP/1.1\r\nHost: h\r\n" + rest), ct, limits: TenByteBodies);
        Assert.Contains("data MDEyMzQ1Njc4OQ==", t, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10000)]
    [InlineData("Content-Length: 11\r\n\r\n0123456789A")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n7\r\n456789A\r\n0\r\n\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\nb\r\n")]
    public async Task RequestBody_OneByteOverMaxBodyBytes_Is413(string rest)
    {
        var ct = TestContext.Current.CancellationToken;
        var e = await Assert.ThrowsAsync<HttpParseException>(() =>
            Messages.RequestTranscriptAsync(Wire.Bytes("POST / HTTP/1.1\r\nHost: h\r\n" + rest), ct, limits: TenByteBodies));
        Assert.Equal((HttpParseError.BodyTooLarge, 413), (e.Error, e.StatusCode));
    }

    [Theory(Timeout = 10000)]
    [InlineData("Content-Length: 10\r\n\r\n0123456789", true)]
    [InlineData("\r\n0123456789", true)]
    [InlineData("Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", true)]
    [InlineData("Content-Length: 11\r\n\r\n0123456789A", false)]
    [InlineData("\r\n0123456789A", false)]
    [InlineData("Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n1\r\nA\r\n0\r\n\r\n", false)]
    public async Task ResponseBody_OverMaxBodyBytes_Is502(string rest, bool accepted)
    {
        var ct = TestContext.Current.CancellationToken;
        var read = Messages.ResponseTranscriptAsync(Wire.Bytes("HTTP/1.1 200 OK\r\n" + rest), ct, limits: TenByteBodies);
        if (accepted)
        {
            Assert.Contains("data MDEyMzQ1Njc4OQ==", await read, StringComparison.Ordinal);
            return;
        }
        var e = await Assert.ThrowsAsync<HttpParseException>(() => read);
        Assert.Equal((HttpParseError.BodyTooLarge, 502), (e.Error, e.StatusCode));
    }
}
