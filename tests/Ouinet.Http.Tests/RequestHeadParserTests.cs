using System.Buffers;

namespace Ouinet.Http.Tests;

public class RequestHeadParserTests
{
    [Fact]
    public void OriginForm_IsParsed_WithFieldsInOrderAndNameCaseKept()
    {
        var head = Parse.Request("GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nx-lower: a\r\nX-Lower: b\r\n\r\n");

        Assert.Equal("GET", head.Method);
        Assert.Equal("/p?q=1", head.Target);
        Assert.Equal(HttpProtocolVersion.Http11, head.Version);
        Assert.Equal(RequestTargetForm.Origin, head.TargetForm);
        Assert.Equal(["Host", "x-lower", "X-Lower"], head.Fields.Select(f => f.Name));
        Assert.Equal(["a", "b"], head.Fields.GetAll("X-LOWER"));
    }

    [Fact]
    public void HeadFollowedByBody_ConsumesOnlyTheHead()
    {
        var data = Wire.Bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        Parse.Request(data, null, out var consumed);
        Assert.Equal(data.Length - 3, consumed);
    }

    [Theory]
    [InlineData("GET http://example.com/p?q HTTP/1.1", RequestTargetForm.Absolute)]
    [InlineData("GET https://user@example.com:8443 HTTP/1.1", RequestTargetForm.Absolute)]
    [InlineData("CONNECT example.com:443 HTTP/1.1", RequestTargetForm.Authority)]
    [InlineData("CONNECT [2001:db8::1]:443 HTTP/1.1", RequestTargetForm.Authority)]
    [InlineData("CONNECT 10.0.0.1:80 HTTP/1.1", RequestTargetForm.Authority)]
    [InlineData("OPTIONS * HTTP/1.1", RequestTargetForm.Asterisk)]
    [InlineData("OPTIONS /x HTTP/1.1", RequestTargetForm.Origin)]
    [InlineData("GET //double/slash HTTP/1.1", RequestTargetForm.Origin)]
    public void TargetForms_AreAccepted_WithTheirMethod(string requestLine, RequestTargetForm form)
    {
        var head = Parse.Request($"{requestLine}\r\nHost: example.com\r\n\r\n");
        Assert.Equal(form, head.TargetForm);
    }

    [Fact]
    public void Http10_WithoutHost_IsAccepted()
    {
        var head = Parse.Request("GET / HTTP/1.0\r\n\r\n");
        Assert.Equal(HttpProtocolVersion.Http10, head.Version);
        Assert.Empty(head.Fields);
    }

    [Fact]
    public void EmptyLinesBeforeRequestLine_AreSkipped()
    {
        var data = Wire.Bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        var head = Parse.Request(data, null, out var consumed);
        Assert.Equal("/", head.Target);
        Assert.Equal(data.Length, consumed);
    }

    [Theory]
    [InlineData("X: value", "value")]
    [InlineData("X:value", "value")]
    [InlineData("X: \t value with  inner  spaces \t ", "value with  inner  spaces")]
    [InlineData("X:", "")]
    [InlineData("X:   ", "")]
    [InlineData("X: caf\u00e9 \u00ff", "caf\u00e9 \u00ff")]
    [InlineData("X: a\tb", "a\tb")]
    public void FieldValues_AreTrimmedOfOptionalWhitespace_AndDecodedAsLatin1(string line, string value)
    {
        var head = Parse.Request($"GET / HTTP/1.1\r\nHost: h\r\n{line}\r\n\r\n");
        Assert.Equal(value, head.Fields["X"]);
    }

    [Theory]
    // Line endings
    [InlineData("GET / HTTP/1.1\nHost: h\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\n", HttpParseError.InvalidLineEnding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", HttpParseError.InvalidLineEnding)]
    // Request line
    [InlineData("GET\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("GET /\r\nHost: h\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("GET / http/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData("GET / HTTP/1\r\nHost: h\r\n\r\n", HttpParseError.InvalidStartLine)]
    [InlineData(" / HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidMethod)]
    [InlineData("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidMethod)]
    [InlineData("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET /\u0001 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET /\u007f HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET * HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("GET 1http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT example.com HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT example.com: HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT example.com:65536 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT http://example.com/ HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT user@example.com:443 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT [zz]:443 HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    [InlineData("CONNECT * HTTP/1.1\r\nHost: h\r\n\r\n", HttpParseError.InvalidRequestTarget)]
    // Field lines
    [InlineData("GET / HTTP/1.1\r\nHost : h\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX\t: y\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nNo colon\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n: empty name\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX@Y: v\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\n Host: h\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", HttpParseError.ObsoleteLineFolding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", HttpParseError.ObsoleteLineFolding)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n", HttpParseError.InvalidFieldValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\u007fb\r\n\r\n", HttpParseError.InvalidFieldValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\u001bb\r\n\r\n", HttpParseError.InvalidFieldValue)]
    // Host (RFC 9112 §3.2)
    [InlineData("GET / HTTP/1.1\r\nX: y\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HttpParseError.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", HttpParseError.InvalidHost)]
    public void MalformedRequestHead_IsRejected_With400(string text, HttpParseError error)
    {
        var e = Parse.RequestError(text);
        Assert.Equal(error, e.Error);
        Assert.Equal(400, e.StatusCode);
    }

    [Theory]
    [InlineData("GET / HTTP/2.0\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.2\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/0.9\r\nHost: h\r\n\r\n")]
    public void OtherHttpVersion_IsRejected_WithUnsupportedVersionAnd505(string text)
    {
        var e = Parse.RequestError(text);
        Assert.Equal(HttpParseError.UnsupportedVersion, e.Error);
        Assert.Equal(505, e.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r")]
    public void IncompleteHead_NeedsMoreData(string text)
    {
        Assert.Null(Parse.TryRequest(new ReadOnlySequence<byte>(Wire.Bytes(text))));
    }

    [Fact]
    public void BareLfInIncompleteHead_IsRejectedWithoutWaitingForTheRest()
    {
        var e = Parse.RequestError("GET / HTTP/1.1\nHost");
        Assert.Equal(HttpParseError.InvalidLineEnding, e.Error);
    }

    [Theory]
    [InlineData("example.com:443", "example.com", 443)]
    [InlineData("[::1]:8080", "[::1]", 8080)]
    [InlineData("10.1.2.3:0", "10.1.2.3", 0)]
    public void TryParseAuthority_SplitsHostAndPort(string authority, string host, int port)
    {
        Assert.True(RequestTarget.TryParseAuthority(authority, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:")]
    [InlineData(":443")]
    [InlineData("example.com:65536")]
    [InlineData("ex ample.com:80")]
    [InlineData("caf\u00e9.com:80")]
    public void TryParseAuthority_RejectsWhatIsNotHostColonPort(string authority)
    {
        Assert.False(RequestTarget.TryParseAuthority(authority, out _, out _));
    }
}
