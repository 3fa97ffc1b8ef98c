namespace Ouinet.Http.Tests;

public class ResponseHeadParserTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK", HttpProtocolVersion.Http11, 200, "OK")]
    [InlineData("HTTP/1.0 404 Not Found", HttpProtocolVersion.Http10, 404, "Not Found")]
    [InlineData("HTTP/1.1 204 ", HttpProtocolVersion.Http11, 204, "")]
    [InlineData("HTTP/1.1 599 Odd\tReason caf\u00e9", HttpProtocolVersion.Http11, 599, "Odd\tReason caf\u00e9")]
    [InlineData("HTTP/1.1 999 Private Use", HttpProtocolVersion.Http11, 999, "Private Use")]
    [InlineData("HTTP/1.1 100 Continue", HttpProtocolVersion.Http11, 100, "Continue")]
    public void StatusLine_IsParsed(string statusLine, HttpProtocolVersion version, int status, string reason)
    {
        var head = Parse.Response($"{statusLine}\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal((version, status, reason), (head.Version, head.StatusCode, head.Reason));
        Assert.Equal("0", head.Fields["content-length"]);
    }

    [Fact]
    public void StatusLine_WithoutSpaceAndReason_IsAccepted_WithEmptyReason()
    {
        // Servers send "HTTP/1.1 200"; curl and Go accept it, and the reason phrase carries no meaning.
        var head = Parse.Response("HTTP/1.1 200\r\nX: y\r\n\r\n");
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("", head.Reason);
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 20x OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1 \r\n\r\n", HttpParseError.InvalidStatusCode)]
    [InlineData("HTTP/1.1\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("ICY 200 OK\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("HTTP/2 200 OK\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("\r\nHTTP/1.1 200 OK\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", HttpParseError.UnsupportedVersion)]
    [InlineData("HTTP/1.1 200 OK\nX: y\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("HTTP/1.1 200 OK\r\nX: y\r\n\n", HttpParseError.InvalidLineEnding)]
    [InlineData("HTTP/1.1 200 OK\rX: y\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("HTTP/1.1 200 OK\r\nX: y\r\n  folded\r\n\r\n", HttpParseError.ObsoleteLineFolding)]
    [InlineData("HTTP/1.1 200 OK\r\nX: y\u0000\r\n\r\n", HttpParseError.InvalidFieldValue)]
    public void MalformedResponseHead_IsRejected_With502(string text, HttpParseError error)
    {
        var e = Parse.ResponseError(text);
        Assert.Equal(error, e.Error);
        Assert.Equal(502, e.StatusCode);
    }

    [Fact]
    public void ResponseHead_WithoutHost_IsFine()
    {
        Assert.Empty(Parse.Response("HTTP/1.1 200 OK\r\n\r\n").Fields);
    }
}
