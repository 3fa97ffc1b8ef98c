using System.Text;
using Ouinet.Client.Upstream;
using Ouinet.Http;

namespace Ouinet.Client.Tests.Upstream;

/// <summary>Reading a bridge's answer to <c>CONNECT</c>: the head only (what follows is the injector's TLS), with a limit.</summary>
public sealed class BridgeTunnelTests
{
    [Fact]
    public async Task ReadHead_TakesTheHeadOnly_AndLeavesTheInjectorsBytes()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("HTTP/1.1 502 Bad Gateway\r\nX-Ouinet-Error: 3 Resource retrieval failed\r\nContent-Length: 4\r\n\r\nnope"));
        var head = await BridgeTunnel.ReadHeadAsync(stream, TestContext.Current.CancellationToken);
        Assert.Equal(502, head.StatusCode);
        Assert.Equal("3 Resource retrieval failed", head.Fields.Get("X-Ouinet-Error"));
        Assert.Equal("nope", Encoding.ASCII.GetString(stream.ToArray(), (int)stream.Position, 4));
    }

    [Fact]
    public async Task ReadHead_ATooLongHead_IsRefused()
    {
        var text = "HTTP/1.1 200 OK\r\nX-Padding: " + new string('a', BridgeTunnel.MaxHeadBytes) + "\r\n\r\n";
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text));
        var e = await Assert.ThrowsAsync<HttpParseException>(() => BridgeTunnel.ReadHeadAsync(stream, TestContext.Current.CancellationToken));
        Assert.Equal(HttpParseError.HeadTooLarge, e.Error);
        Assert.Equal(BridgeTunnel.MaxHeadBytes, stream.Position);
    }

    [Fact]
    public async Task ReadHead_AnEarlyEnd_SaysHowFarItGot()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n"));
        var e = await Assert.ThrowsAsync<IOException>(() => BridgeTunnel.ReadHeadAsync(stream, TestContext.Current.CancellationToken));
        Assert.Contains("after 17 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadHead_AMalformedStatusLine_IsAParseError()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH\r\n\r\n"));
        await Assert.ThrowsAsync<HttpParseException>(() => BridgeTunnel.ReadHeadAsync(stream, TestContext.Current.CancellationToken));
    }
}
