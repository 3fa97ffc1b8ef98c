using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ouinet.Cache.Store;
using Ouinet.Client.Proxy;
using Ouinet.Client.Responses;
using Ouinet.Client.Routing;
using Ouinet.Http;

namespace Ouinet.Client.Tests.Responses;

public class CachedResponseWriterTests
{
    [Fact(Timeout = 10000)]
    public async Task WholeEntry_HasTheOriginFieldsAndSource_AndNoSignatureFields()
    {
        var (head, body) = await ServeAsync("https://example.com/hello", new HttpRequestHead("GET", "https://example.com/hello"), TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain\r\n", head, StringComparison.Ordinal);
        Assert.Contains("X-Ouinet-Source: local-cache\r\n", head, StringComparison.Ordinal);
        Assert.Contains("X-Ouinet-Version: 6\r\n", head, StringComparison.Ordinal);
        Assert.Contains("X-Ouinet-Injection: id=qwertyuiop-12345,ts=1584748800\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 12\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Ouinet-Sig", head, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Ouinet-BSigs", head, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Ouinet-Data-Size", head, StringComparison.Ordinal);
        Assert.Equal("Hello world!", body);
    }

    [Theory(Timeout = 10000)]
    [InlineData("bytes=6-10", "bytes 6-10/12", "world")]
    [InlineData("bytes=6-", "bytes 6-11/12", "world!")]
    [InlineData("bytes=-1", "bytes 11-11/12", "!")]
    [InlineData("bytes=0-100", "bytes 0-11/12", "Hello world!")]
    public async Task BrowserRanges_AreServedExactly(string range, string contentRange, string expected)
    {
        var request = new HttpRequestHead("GET", "https://example.com/hello");
        request.Fields.Add("Range", range);
        var (head, body) = await ServeAsync("https://example.com/hello", request, TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 206 Partial Content\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: {contentRange}\r\n", head, StringComparison.Ordinal);
        Assert.Equal(expected, body);
    }

    [Fact(Timeout = 10000)]
    public async Task RangeBeyondTheBody_Is416()
    {
        var request = new HttpRequestHead("GET", "https://example.com/hello");
        request.Fields.Add("Range", "bytes=12-");
        var (head, body) = await ServeAsync("https://example.com/hello", request, TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 416 ", head, StringComparison.Ordinal);
        Assert.Contains("Content-Range: bytes */12\r\n", head, StringComparison.Ordinal);
        Assert.Equal("", body);
    }

    [Fact(Timeout = 10000)]
    public async Task IfRangeWithAnotherValidator_GetsTheWholeBody()
    {
        var request = new HttpRequestHead("GET", "https://example.com/big.bin");
        request.Fields.Add("Range", "bytes=0-9");
        request.Fields.Add("If-Range", "\"big-v0\"");
        var (head, body) = await ServeAsync("https://example.com/big.bin", request, TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.Equal(204800, Encoding.Latin1.GetByteCount(body));
    }

    [Theory(Timeout = 10000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BigBodyThroughBodyPath_IsStreamedWhole(bool sendfile)
    {
        var request = new HttpRequestHead("GET", "https://example.com/big.bin");
        var (head, body) = sendfile
            ? await ServeOverSocketAsync("https://example.com/big.bin", request, TestContext.Current.CancellationToken)
            : await ServeAsync("https://example.com/big.bin", request, TestContext.Current.CancellationToken);
        Assert.Contains("Content-Length: 204800\r\n", head, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector("vectors", "big", "body.bin")), Encoding.Latin1.GetBytes(body));
    }

    [Theory(Timeout = 10000)]
    [InlineData("bytes=70000-200000", 70000, 130001)]
    [InlineData("bytes=-100000", 104800, 100000)]
    [InlineData("bytes=1000-1999", 1000, 1000)]
    public async Task BigBodyRanges_OverAPlainConnection_AreExact(string range, int first, int length)
    {
        var request = new HttpRequestHead("GET", "https://example.com/big.bin");
        request.Fields.Add("Range", range);
        var (head, body) = await ServeOverSocketAsync("https://example.com/big.bin", request, TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 206 Partial Content\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: bytes {first}-{first + length - 1}/204800\r\n", head, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector("vectors", "big", "body.bin")).AsSpan(first, length).ToArray(), Encoding.Latin1.GetBytes(body));
    }

    [Fact(Timeout = 10000)]
    public async Task HeadRequest_GetsTheHeadOnly()
    {
        var (head, body) = await ServeAsync("https://example.com/hello", new HttpRequestHead("HEAD", "https://example.com/hello"), TestContext.Current.CancellationToken);
        Assert.Contains("Content-Length: 12\r\n", head, StringComparison.Ordinal);
        Assert.Equal("", body);
    }

    /// <summary>Serves over a real loopback TCP connection with <see cref="SocketFileSender"/>, as the proxy does for plain HTTP.</summary>
    private static async Task<(string Head, string Body)> ServeOverSocketAsync(string uri, HttpRequestHead request, CancellationToken ct)
    {
        var store = SignedStore.Open(TestPaths.Vector("static-cache", ".ouinet"), TestPaths.Vector("static-cache"), new SignedStoreOptions { ReadOnly = true });
        using var entry = store.TryOpen(uri)!;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var browser = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await browser.ConnectAsync(listener.LocalEndPoint!, ct);
        using var server = await listener.AcceptAsync(ct);
        var received = new MemoryStream();
        var reading = new NetworkStream(browser).CopyToAsync(received, ct);
        await using (var stream = new NetworkStream(server))
        {
            var pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            await CachedResponseWriter.WriteAsync(entry, request, Mechanism.LocalCache, pipe, fileSender: new SocketFileSender(server, onProgress: null), cancellationToken: ct);
            await pipe.CompleteAsync();
            server.Shutdown(SocketShutdown.Send);
        }
        await reading;
        var text = Encoding.Latin1.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        return (text[..split], text[split..]);
    }

    [Fact(Timeout = 10000)]
    public async Task CachedHead_IsTheHeadItReplaces_AndStepsAsideForRangesAndAddedFields()
    {
        var ct = TestContext.Current.CancellationToken;
        using var entry = OpenVectorEntry("https://example.com/hello");
        var request = new HttpRequestHead("GET", "https://example.com/hello");
        var built = await ServeAsync(entry, request, null, null, ct);
        var heads = new BrowserHeadCache();
        Assert.Equal(built, await ServeAsync(entry, request, heads, null, ct));
        var kept = heads.Whole(entry, Mechanism.LocalCache);
        Assert.Equal(built, await ServeAsync(entry, request, heads, null, ct));
        Assert.True(kept.Span == heads.Whole(entry, Mechanism.LocalCache).Span, "the second hit reuses the serialized head");

        var head = new HttpRequestHead("HEAD", "https://example.com/hello");
        Assert.Equal((built.Head, ""), await ServeAsync(entry, head, heads, null, ct));

        var ranged = new HttpRequestHead("GET", "https://example.com/hello");
        ranged.Fields.Add("Range", "bytes=0-4");
        var (rangedHead, rangedBody) = await ServeAsync(entry, ranged, heads, null, ct);
        Assert.StartsWith("HTTP/1.1 206 ", rangedHead, StringComparison.Ordinal);
        Assert.Equal("Hello", rangedBody);

        var (closing, _) = await ServeAsync(entry, request, heads, [new HttpField("Connection", "close")], ct);
        Assert.Contains("Connection: close\r\n", closing, StringComparison.Ordinal);
        Assert.Equal(built, await ServeAsync(entry, request, heads, null, ct));
    }

    private static StoredEntry OpenVectorEntry(string uri) =>
        SignedStore.Open(TestPaths.Vector("static-cache", ".ouinet"), TestPaths.Vector("static-cache"), new SignedStoreOptions { ReadOnly = true }).TryOpen(uri)!;

    private static async Task<(string Head, string Body)> ServeAsync(string uri, HttpRequestHead request, CancellationToken ct)
    {
        using var entry = OpenVectorEntry(uri);
        return await ServeAsync(entry, request, null, null, ct);
    }

    private static async Task<(string Head, string Body)> ServeAsync(StoredEntry entry, HttpRequestHead request, BrowserHeadCache? heads, IReadOnlyList<HttpField>? extraFields, CancellationToken ct)
    {
        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        await CachedResponseWriter.WriteAsync(entry, request, Mechanism.LocalCache, pipe, extraFields, heads: heads, cancellationToken: ct);
        await pipe.CompleteAsync();
        var text = Encoding.Latin1.GetString(output.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        return (text[..split], text[split..]);
    }
}
