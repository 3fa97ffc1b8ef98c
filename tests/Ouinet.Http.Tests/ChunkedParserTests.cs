using System.Buffers;

namespace Ouinet.Http.Tests;

public class ChunkedParserTests
{
    [Theory]
    [InlineData("5\r\n", 5L)]
    [InlineData("A\r\n", 10L)]
    [InlineData("ff\r\n", 255L)]
    [InlineData("0000a\r\n", 10L)]
    [InlineData("10000\r\n", 65536L)]
    [InlineData("0\r\n", 0L)]
    [InlineData("1fffffffffffff\r\n", (1L << 53) - 1)]
    [InlineData("5 \r\n", 5L)]
    public void ChunkSize_IsHexadecimal(string line, long size)
    {
        var r = Parse.ChunkHeader(line);
        Assert.NotNull(r);
        Assert.Equal(size, r.Value.Size);
        Assert.Empty(r.Value.Extensions);
        Assert.Equal(line.Length, r.Value.Consumed);
    }

    [Theory]
    [InlineData("5;ouisig=\"UB1zSF/+x==\"\r\n", "ouisig", "UB1zSF/+x==")]
    [InlineData("5;ouisig=UB1zSF/+x==\r\n", "ouisig", "UB1zSF/+x==")]
    [InlineData("5;a=token\r\n", "a", "token")]
    [InlineData("5;a=\"\"\r\n", "a", "")]
    [InlineData("5;a=\"x\\\"y\\\\z\"\r\n", "a", "x\"y\\z")]
    [InlineData("5;a=\"p;q r\tcaf\u00e9\"\r\n", "a", "p;q r\tcaf\u00e9")]
    [InlineData("5;a=\"\\q\"\r\n", "a", "q")]
    [InlineData("5 ; a = \"v\" \r\n", "a", "v")]
    [InlineData("5\t;\ta\t=\tv\t\r\n", "a", "v")]
    [InlineData("5;flag\r\n", "flag", null)]
    [InlineData("5;flag \r\n", "flag", null)]
    public void ChunkExtension_IsParsed_QuotedOrUnquoted(string line, string name, string? value)
    {
        var r = Parse.ChunkHeader(line);
        Assert.NotNull(r);
        Assert.Equal(5, r.Value.Size);
        Assert.Equal([new ChunkExtension(name, value)], r.Value.Extensions);
    }

    [Fact]
    public void SeveralExtensions_KeepTheirOrder()
    {
        var r = Parse.ChunkHeader("0;ouisig=\"s1\";ouihash=h/2+=;x;y=\"\"\r\n");
        Assert.NotNull(r);
        Assert.Equal(
            [new("ouisig", "s1"), new("ouihash", "h/2+="), new("x", null), new ChunkExtension("y", "")],
            r.Value.Extensions);
    }

    [Theory]
    [InlineData("\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData(";a=b\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData(" 5\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("g\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("5g\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("0x5\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("-5\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("20000000000000\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("ffffffffffffffffffff\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("5\n", HttpParseError.InvalidLineEnding)]
    [InlineData("5;a=b\n", HttpParseError.InvalidLineEnding)]
    [InlineData("5\rx\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("\n", HttpParseError.InvalidLineEnding)]
    [InlineData("5 5\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;;a\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;=v\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a= ;b\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a b\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"open\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"x\"y\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=b\"c\"\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"\u0001\"\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"\\\u0001\"\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=b\u0001\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;n@me=v\r\n", HttpParseError.InvalidChunkExtension)]
    public void MalformedChunkLine_IsRejected(string line, HttpParseError error)
    {
        var fromServer = Parse.ChunkHeaderError(line, fromServer: true);
        Assert.Equal(error, fromServer.Error);
        Assert.Equal(502, fromServer.StatusCode);

        var fromClient = Parse.ChunkHeaderError(line, fromServer: false);
        Assert.Equal(error, fromClient.Error);
        Assert.Equal(400, fromClient.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5;ouisig=\"abc")]
    [InlineData("5;ouisig=\"abc\"\r")]
    public void IncompleteChunkLine_NeedsMoreData(string text)
    {
        Assert.Null(Parse.ChunkHeader(text));
    }

    [Fact]
    public void ChunkDataEnd_NeedsCrlf()
    {
        Assert.True(TryDataEnd("\r\n"));
        Assert.False(TryDataEnd(""));
        Assert.False(TryDataEnd("\r"));
        Assert.Equal(HttpParseError.InvalidChunkData, Assert.Throws<HttpParseException>(() => TryDataEnd("x")).Error);
        Assert.Equal(HttpParseError.InvalidChunkData, Assert.Throws<HttpParseException>(() => TryDataEnd("\rx")).Error);
        Assert.Equal(HttpParseError.InvalidChunkData, Assert.Throws<HttpParseException>(() => TryDataEnd("\n")).Error);

        static bool TryDataEnd(string text)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Wire.Bytes(text)));
            var done = ChunkedParser.TryReadChunkDataEnd(ref reader, fromServer: true);
            Assert.Equal(done ? 2 : 0, reader.Consumed);
            return done;
        }
    }

    [Fact]
    public void Trailers_AreParsedLikeHeaderFields()
    {
        var t = Parse.Trailers("X-Ouinet-Data-Size: 12\r\nDigest:  SHA-256=abc= \r\n\r\n");
        Assert.NotNull(t);
        Assert.Equal(["X-Ouinet-Data-Size: 12", "Digest: SHA-256=abc="], t.Select(f => f.ToString()));
    }

    [Fact]
    public void EmptyTrailerSection_GivesNoFields()
    {
        var t = Parse.Trailers("\r\n");
        Assert.NotNull(t);
        Assert.Empty(t);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r")]
    [InlineData("X: 1\r\n")]
    [InlineData("X: 1\r\n\r")]
    public void IncompleteTrailers_NeedMoreData(string text)
    {
        Assert.Null(Parse.Trailers(text));
    }

    [Theory]
    [InlineData("X : 1\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData(" X: 1\r\n\r\n", HttpParseError.InvalidFieldName)]
    [InlineData("X: 1\r\n y\r\n\r\n", HttpParseError.ObsoleteLineFolding)]
    [InlineData("X: 1\n\r\n", HttpParseError.InvalidLineEnding)]
    [InlineData("X: \u0000\r\n\r\n", HttpParseError.InvalidFieldValue)]
    public void MalformedTrailers_AreRejected(string text, HttpParseError error)
    {
        var e = Assert.Throws<HttpParseException>(() => Parse.Trailers(text, fromServer: false));
        Assert.Equal(error, e.Error);
        Assert.Equal(400, e.StatusCode);
    }
}
