using System.Buffers;
using System.IO.Pipelines;

namespace Ouinet.Http.Tests;

public class HttpWriterTests
{
    private static HttpFields Fields(params (string Name, string Value)[] fields) => new(fields.Select(f => new HttpField(f.Name, f.Value)));

    [Fact]
    public void RequestHead_IsWrittenAsStartLineFieldsInOrderAndBlankLine()
    {
        var head = new HttpRequestHead("GET", "/p?q", HttpProtocolVersion.Http11, Fields(("Host", "h"), ("x-b", "2"), ("X-A", "1")));
        Assert.Equal("GET /p?q HTTP/1.1\r\nHost: h\r\nx-b: 2\r\nX-A: 1\r\n\r\n", Wire.Text(Wire.Written(w => HttpWriter.WriteRequestHead(w, head))));
    }

    [Fact]
    public void Http10RequestHead_WithoutFields()
    {
        var head = new HttpRequestHead("CONNECT", "h:443", HttpProtocolVersion.Http10);
        Assert.Equal("CONNECT h:443 HTTP/1.0\r\n\r\n", Wire.Text(Wire.Written(w => HttpWriter.WriteRequestHead(w, head))));
    }

    [Theory]
    [InlineData(200, "OK", "HTTP/1.1 200 OK\r\n")]
    [InlineData(204, "", "HTTP/1.1 204 \r\n")]
    [InlineData(599, "Odd\tone", "HTTP/1.1 599 Odd\tone\r\n")]
    public void StatusLine_IsWrittenWithItsReason(int status, string reason, string expected)
    {
        var head = new HttpResponseHead(status, reason);
        Assert.Equal(expected + "\r\n", Wire.Text(Wire.Written(w => HttpWriter.WriteResponseHead(w, head))));
    }

    [Fact]
    public void FieldValues_AreWrittenAsLatin1Bytes()
    {
        var head = new HttpResponseHead(200, "OK", HttpProtocolVersion.Http10, Fields(("X", "caf\u00e9")));
        var bytes = Wire.Written(w => HttpWriter.WriteResponseHead(w, head));
        Assert.Equal("HTTP/1.0 200 OK\r\nX: caf\u00e9\r\n\r\n", Wire.Text(bytes));
        Assert.Contains((byte)0xe9, bytes);
    }

    [Theory]
    [InlineData(5L, "5\r\n")]
    [InlineData(65536L, "10000\r\n")]
    [InlineData(255L, "ff\r\n")]
    [InlineData((1L << 53) - 1, "1fffffffffffff\r\n")]
    public void ChunkSize_IsLowerCaseHex(long size, string expected)
    {
        Assert.Equal(expected, Wire.Text(Wire.Written(w => HttpWriter.WriteChunkHeader(w, size, null))));
    }

    [Fact]
    public void ChunkExtensionValues_AreAlwaysQuoted_ExactlyAsOuinetCppEmitsThem()
    {
        var line = Wire.Written(w => HttpWriter.WriteChunkHeader(w, 0x10000, [new("ouisig", "AbC+/x=="), new("flag", null), new("e", "")]));
        Assert.Equal("10000;ouisig=\"AbC+/x==\";flag;e=\"\"\r\n", Wire.Text(line));
    }

    [Fact]
    public void QuotesAndBackslashesInExtensionValues_AreEscaped_AndParseBack()
    {
        var ext = new ChunkExtension("a", "say \"hi\" \\ bye\t;");
        var line = Wire.Text(Wire.Written(w => HttpWriter.WriteChunkHeader(w, 1, [ext])));
        Assert.Equal("1;a=\"say \\\"hi\\\" \\\\ bye\t;\"\r\n", line);
        Assert.Equal([ext], Parse.ChunkHeader(line)?.Extensions);
    }

    [Fact]
    public void LastChunk_WithExtensionsAndTrailers()
    {
        var bytes = Wire.Written(w =>
        {
            HttpWriter.WriteChunkHeader(w, 2, []);
            w.Write("hi"u8);
            HttpWriter.WriteChunkEnd(w);
            HttpWriter.WriteLastChunk(w, [new("ouisig", "s==")], Fields(("X-Ouinet-Data-Size", "2"), ("Digest", "SHA-256=x")));
        });
        Assert.Equal("2\r\nhi\r\n0;ouisig=\"s==\"\r\nX-Ouinet-Data-Size: 2\r\nDigest: SHA-256=x\r\n\r\n", Wire.Text(bytes));
    }

    [Fact]
    public void LastChunk_Bare()
    {
        Assert.Equal("0\r\n\r\n", Wire.Text(Wire.Written(w => HttpWriter.WriteLastChunk(w))));
    }

    [Fact]
    public void ChunkHeader_OfSizeZeroOrLess_IsRefused_SinceItWouldEndTheBody()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpWriter.WriteChunkHeader(w, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpWriter.WriteChunkHeader(w, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpWriter.WriteChunkHeader(w, 1L << 53));
        Assert.Equal(0, w.WrittenCount);
    }

    [Theory]
    [InlineData("G T", "/")]
    [InlineData("", "/")]
    [InlineData("GET", "/a b")]
    [InlineData("GET", "/a\r\nX: injected")]
    [InlineData("GET", "")]
    [InlineData("GET", "/caf\u00e9")]
    public void InvalidRequestLine_IsRefused(string method, string target)
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteRequestHead(w, new HttpRequestHead(method, target)));
        Assert.Equal(0, w.WrittenCount);
    }

    [Fact]
    public void InjectionAttempts_AreRefused()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteResponseHead(w, new HttpResponseHead(200, "OK\r\nX: injected")));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteResponseHead(w, new HttpResponseHead(99, "Low")));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteChunkHeader(w, 1, [new("bad name", "v")]));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteChunkHeader(w, 1, [new("n", "v\r\n0\r\n")]));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteChunkHeader(w, 1, [new("n", "\u0100")]));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteFields(w, [new HttpField("X", "a\r\nY: b")]));
        Assert.Throws<ArgumentException>(() => HttpWriter.WriteFields(w, [new HttpField("X Y", "a")]));
        Assert.Equal(0, w.WrittenCount);
    }

    [Fact]
    public void WritingHeadsAndChunkLines_DoesNotAllocate()
    {
        var head = Parse.Response(Wire.Text(Wire.Vector("hello", "injector-head.http")));
        ChunkExtension[] ext = [new("ouisig", "UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==")];
        var w = new ArrayBufferWriter<byte>(64 * 1024);
        WriteAll();
        w.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void WriteAll()
        {
            HttpWriter.WriteResponseHead(w, head);
            HttpWriter.WriteChunkHeader(w, 65536, ext);
            HttpWriter.WriteChunkEnd(w);
            HttpWriter.WriteLastChunk(w, ext, head.Fields);
        }
    }

    [Fact(Timeout = 10000)]
    public async Task HeadWrittenToAPipeWriter_IsReadBackByTheMessageReader()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        HttpWriter.WriteRequestHead(pipe.Writer, new HttpRequestHead("GET", "http://example.com/", HttpProtocolVersion.Http11, Fields(("Host", "example.com"))));
        await pipe.Writer.CompleteAsync();
        await using var reader = new HttpMessageReader(pipe.Reader);
        var head = await reader.ReadRequestHeadAsync(ct);
        Assert.Equal(RequestTargetForm.Absolute, head?.TargetForm);
    }

    [Fact(Timeout = 10000)]
    public async Task ChunkedBodyWriter_CutsFullChunks_AndEndsWithTrailers()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        await HttpBodyWriter.WriteChunkedBodyAsync(pipe.Writer, new TrickleStream(Wire.Bytes("Hello world!"), 3), 5, Fields(("T", "1")), ct);
        await pipe.Writer.CompleteAsync();
        var written = await ReadAllAsync(pipe.Reader, ct);
        Assert.Equal("5\r\nHello\r\n5\r\n worl\r\n2\r\nd!\r\n0\r\nT: 1\r\n\r\n", Wire.Text(written));
    }

    [Fact(Timeout = 10000)]
    public async Task ChunkedBodyWriter_OnAnEmptySource_WritesOnlyTheLastChunk()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        await HttpBodyWriter.WriteChunkedBodyAsync(pipe.Writer, new MemoryStream(), cancellationToken: ct);
        await pipe.Writer.CompleteAsync();
        Assert.Equal("0\r\n\r\n", Wire.Text(await ReadAllAsync(pipe.Reader, ct)));
    }

    [Fact(Timeout = 10000)]
    public async Task ContentLengthBodyWriter_CopiesExactlyTheLength_AndFailsOnAShortSource()
    {
        var ct = TestContext.Current.CancellationToken;
        var pipe = new Pipe();
        var source = new MemoryStream(Wire.Bytes("0123456789"));
        await HttpBodyWriter.WriteContentLengthBodyAsync(pipe.Writer, source, 4, ct);
        await pipe.Writer.CompleteAsync();
        Assert.Equal("0123", Wire.Text(await ReadAllAsync(pipe.Reader, ct)));
        Assert.Equal(4, source.Position);

        var short_ = new Pipe();
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
            await HttpBodyWriter.WriteContentLengthBodyAsync(short_.Writer, new MemoryStream(Wire.Bytes("abc")), 4, ct));
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader, CancellationToken ct)
    {
        var output = new MemoryStream();
        await reader.CopyToAsync(output, ct);
        return output.ToArray();
    }
}
