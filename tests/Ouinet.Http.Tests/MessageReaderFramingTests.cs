namespace Ouinet.Http.Tests;

/// <summary>Body framing per RFC 9112 §6.3, through <see cref="HttpMessageReader"/>.</summary>
public class MessageReaderFramingTests
{
    private static async Task<(HttpBodyReader Body, BodyTranscript Transcript, HttpRequestHead? Next)> ReadRequestAsync(string wire, CancellationToken ct)
    {
        await using var reader = Wire.Reader(wire);
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.NotNull(head);
        var body = reader.ReadRequestBody(head);
        var transcript = await BodyTranscript.ReadAsync(body, ct);
        return (body, transcript, await reader.ReadRequestHeadAsync(ct));
    }

    private static async Task<HttpParseException> RequestBodyErrorAsync(string wire, CancellationToken ct)
    {
        await using var reader = Wire.Reader(wire);
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.NotNull(head);
        return await Assert.ThrowsAsync<HttpParseException>(async () => await reader.ReadRequestBody(head).DrainAsync(ct));
    }

    private static async Task<(BodyTranscript Transcript, HttpResponseHead? Next)> ReadResponseAsync(string wire, CancellationToken ct, string method = "GET")
    {
        await using var reader = Wire.Reader(wire);
        var head = await reader.ReadResponseHeadAsync(ct);
        var transcript = await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, method), ct);
        HttpResponseHead? next = null;
        try
        {
            next = await reader.ReadResponseHeadAsync(ct);
        }
        catch (HttpParseException e) when (e.Error == HttpParseError.UnexpectedEndOfStream)
        {
        }
        return (transcript, next);
    }

    private static async Task<HttpParseException> ResponseBodyErrorAsync(string wire, CancellationToken ct)
    {
        await using var reader = Wire.Reader(wire);
        var head = await reader.ReadResponseHeadAsync(ct);
        return await Assert.ThrowsAsync<HttpParseException>(async () => await reader.ReadResponseBody(head, "GET").DrainAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task RequestWithoutLengthOrChunked_HasNoBody_AndTheNextRequestFollows()
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, t, next) = await ReadRequestAsync("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", ct);
        Assert.Equal(BodyFraming.None, body.Framing);
        Assert.Empty(t.Data);
        Assert.Equal("/b", next?.Target);
    }

    [Theory(Timeout = 10000)]
    [InlineData("5")]
    [InlineData("5, 5")]
    [InlineData(" 5 ,5 ")]
    public async Task RequestWithContentLength_ReadsExactlyThatMany(string contentLength)
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, t, next) = await ReadRequestAsync(
            $"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {contentLength}\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: h\r\n\r\n", ct);
        Assert.Equal(BodyFraming.ContentLength, body.Framing);
        Assert.Equal(5, body.ContentLength);
        Assert.Equal("hello", Wire.Text(t.Data));
        Assert.Null(t.Trailers);
        Assert.Equal("/b", next?.Target);
    }

    [Fact(Timeout = 10000)]
    public async Task RepeatedIdenticalContentLengthFields_AreAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, t, _) = await ReadRequestAsync("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok", ct);
        Assert.Equal(2, body.ContentLength);
        Assert.Equal("ok", Wire.Text(t.Data));
    }

    [Theory(Timeout = 10000)]
    [InlineData("chunked")]
    [InlineData("Chunked")]
    [InlineData(" chunked ,")]
    public async Task RequestWithChunked_IsReadAsChunks(string te)
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, t, next) = await ReadRequestAsync(
            $"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: {te}\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", ct);
        Assert.Equal(BodyFraming.Chunked, body.Framing);
        Assert.Null(body.ContentLength);
        Assert.Equal("abc", Wire.Text(t.Data));
        Assert.Equal("1", t.Trailers?["T"]);
        Assert.Equal("/b", next?.Target);
    }

    [Theory(Timeout = 10000)]
    [InlineData("Content-Length: 5\r\nContent-Length: 6", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: 5, 6", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: -1", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: +5", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: 0x5", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: 5 5", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: ", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: 5,", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: 99999999999999999999", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Content-Length: \u0665", HttpParseError.InvalidContentLength, 400)]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5", HttpParseError.ConflictingFraming, 400)]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked", HttpParseError.ConflictingFraming, 400)]
    [InlineData("Transfer-Encoding: gzip", HttpParseError.UnsupportedTransferEncoding, 400)]
    [InlineData("Transfer-Encoding: chunked, gzip", HttpParseError.UnsupportedTransferEncoding, 400)]
    [InlineData("Transfer-Encoding: chunked, chunked", HttpParseError.UnsupportedTransferEncoding, 400)]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", HttpParseError.UnsupportedTransferEncoding, 400)]
    [InlineData("Transfer-Encoding: ", HttpParseError.UnsupportedTransferEncoding, 400)]
    [InlineData("Transfer-Encoding: gzip, chunked", HttpParseError.UnsupportedTransferEncoding, 501)]
    [InlineData("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked", HttpParseError.UnsupportedTransferEncoding, 501)]
    public async Task RequestWithBadFraming_IsRejected(string fields, HttpParseError error, int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader($"POST / HTTP/1.1\r\nHost: h\r\n{fields}\r\n\r\nhello");
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.NotNull(head);
        var e = Assert.Throws<HttpParseException>(() => reader.ReadRequestBody(head));
        Assert.Equal((error, status), (e.Error, e.StatusCode));
    }

    [Fact(Timeout = 10000)]
    public async Task Http10RequestWithTransferEncoding_IsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        var head = await reader.ReadRequestHeadAsync(ct);
        var e = Assert.Throws<HttpParseException>(() => reader.ReadRequestBody(head!));
        Assert.Equal((HttpParseError.UnsupportedTransferEncoding, 400), (e.Error, e.StatusCode));
    }

    [Theory(Timeout = 10000)]
    [InlineData(100)]
    [InlineData(103)]
    [InlineData(204)]
    [InlineData(304)]
    public async Task ResponseWithStatusThatHasNoBody_HasNone_EvenWithContentLength(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, next) = await ReadResponseAsync($"HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ct);
        Assert.Equal(BodyFraming.None, t.Framing);
        Assert.Equal(200, next?.StatusCode);
    }

    [Fact(Timeout = 10000)]
    public async Task ResponseToHead_HasNoBody_WhateverItsFieldsSay()
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, next) = await ReadResponseAsync(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nHTTP/1.1 201 OK\r\nContent-Length: 0\r\n\r\n", ct, "HEAD");
        Assert.Equal(BodyFraming.None, t.Framing);
        Assert.Equal(201, next?.StatusCode);
    }

    [Fact(Timeout = 10000)]
    public async Task SuccessfulResponseToConnect_HasNoBody()
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, _) = await ReadResponseAsync("HTTP/1.1 200 Connection established\r\n\r\ntunnel bytes", ct, "CONNECT");
        Assert.Equal(BodyFraming.None, t.Framing);
    }

    [Fact(Timeout = 10000)]
    public async Task FailedResponseToConnect_HasItsBody()
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, _) = await ReadResponseAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno", ct, "CONNECT");
        Assert.Equal("no", Wire.Text(t.Data));
    }

    [Fact(Timeout = 10000)]
    public async Task ResponseWithChunkedAndContentLength_IsChunked_ContentLengthIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, next) = await ReadResponseAsync(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", ct);
        Assert.Equal(BodyFraming.Chunked, t.Framing);
        Assert.Equal("ok", Wire.Text(t.Data));
        Assert.Equal(204, next?.StatusCode);
    }

    [Theory(Timeout = 10000)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")]
    [InlineData("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n")]
    public async Task ResponseWithoutUsableFraming_IsReadUntilClose(string head)
    {
        var ct = TestContext.Current.CancellationToken;
        var (t, next) = await ReadResponseAsync(head + "all of this\r\n0\r\n\r\n", ct);
        Assert.Equal(BodyFraming.UntilClose, t.Framing);
        Assert.Equal("all of this\r\n0\r\n\r\n", Wire.Text(t.Data));
        Assert.Null(next);
    }

    [Theory(Timeout = 10000)]
    [InlineData("Content-Length: 1\r\nContent-Length: 2", HttpParseError.InvalidContentLength)]
    [InlineData("Content-Length: x", HttpParseError.InvalidContentLength)]
    [InlineData("Transfer-Encoding: chunked, chunked", HttpParseError.UnsupportedTransferEncoding)]
    [InlineData("Transfer-Encoding: ,", HttpParseError.UnsupportedTransferEncoding)]
    public async Task ResponseWithBadFraming_IsRejectedWith502(string fields, HttpParseError error)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader($"HTTP/1.1 200 OK\r\n{fields}\r\n\r\n");
        var head = await reader.ReadResponseHeadAsync(ct);
        var e = Assert.Throws<HttpParseException>(() => reader.ReadResponseBody(head, "GET"));
        Assert.Equal((error, 502), (e.Error, e.StatusCode));
    }

    [Fact(Timeout = 10000)]
    public async Task InterimResponse_IsFollowedByTheFinalOne_WithoutReadingABody()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = Wire.Reader("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        Assert.Equal(100, (await reader.ReadResponseHeadAsync(ct)).StatusCode);
        var final = await reader.ReadResponseHeadAsync(ct);
        Assert.Equal(200, final.StatusCode);
        Assert.Equal("hi", Wire.Text((await BodyTranscript.ReadAsync(reader.ReadResponseBody(final, "GET"), ct)).Data));
    }

    [Fact(Timeout = 10000)]
    public async Task ChunkedRequestBody_WithBadChunk_IsRejectedWith400()
    {
        var ct = TestContext.Current.CancellationToken;
        var e = await RequestBodyErrorAsync("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ct);
        Assert.Equal((HttpParseError.InvalidChunkSize, 400), (e.Error, e.StatusCode));
    }

    [Theory(Timeout = 10000)]
    [InlineData("3\r\nabcd\r\n0\r\n\r\n", HttpParseError.InvalidChunkData)]
    [InlineData("3\r\nab\r\n0\r\n\r\n", HttpParseError.InvalidChunkData)]
    [InlineData("3\r\nabc\n0\r\n\r\n", HttpParseError.InvalidChunkData)]
    [InlineData("3\nabc\r\n0\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("3\r\nabc\r\n0\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("3\r\nabc\r\n0\r\nX: 1\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("3\r\nabc\r\n0\r\nX : 1\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("3;a=\"\r\nabc\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    public async Task MalformedChunkedResponseBody_IsRejectedWith502(string chunks, HttpParseError error)
    {
        var ct = TestContext.Current.CancellationToken;
        var e = await ResponseBodyErrorAsync($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}", ct);
        Assert.Equal((error, 502), (e.Error, e.StatusCode));
    }
}
