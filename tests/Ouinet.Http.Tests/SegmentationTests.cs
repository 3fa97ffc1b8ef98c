using System.Buffers;

namespace Ouinet.Http.Tests;

/// <summary>
/// The synchronous parsers on every prefix (need more data, reader untouched) and every segmentation
/// (one cut anywhere, two cuts, one byte per segment) of valid inputs: always the same result.
/// </summary>
public class SegmentationTests
{
    public static TheoryData<string> RequestHeads() =>
    [
        "GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Empty:\r\n\r\n",
        "\r\nPOST http://example.com/form HTTP/1.0\r\nContent-Length: 3\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\nX: caf\u00e9 \t \r\n\r\n",
    ];

    public static TheoryData<string> ResponseHeads() =>
    [
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 404 \r\n\r\n",
        "HTTP/1.1 204\r\nX:y\r\n\r\n",
        Wire.Text(Wire.Vector("hello", "injector-head.http")),
        Wire.Text(Wire.Vector("big", "injector-head.http")),
    ];

    [Theory]
    [MemberData(nameof(RequestHeads))]
    public void RequestHead_EveryPrefixNeedsMoreData_EverySegmentationGivesTheSameHead(string text)
    {
        // Bytes after the head must be left alone whatever the segmentation.
        var data = Wire.Bytes(text + "NEXT");
        var expected = Heads.Describe(Parse.Request(data, null, out var headLength));
        Assert.Equal(text.Length, headLength);

        for (var k = 0; k < headLength; k++)
        {
            Assert.Null(Parse.TryRequest(new ReadOnlySequence<byte>(data, 0, k)));
        }
        foreach (var sequence in Segmentations(data))
        {
            Assert.Equal(expected, Heads.Describe(Parse.Request(sequence, null, out var consumed)));
            Assert.Equal(headLength, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(ResponseHeads))]
    public void ResponseHead_EveryPrefixNeedsMoreData_EverySegmentationGivesTheSameHead(string text)
    {
        var data = Wire.Bytes(text + "body");
        var expected = Heads.Describe(Parse.Response(new ReadOnlySequence<byte>(data), null, out var headLength));
        Assert.Equal(text.Length, headLength);

        for (var k = 0; k < headLength; k++)
        {
            Assert.Null(Parse.TryResponse(new ReadOnlySequence<byte>(data, 0, k)));
        }
        foreach (var sequence in Segmentations(data))
        {
            Assert.Equal(expected, Heads.Describe(Parse.Response(sequence, null, out var consumed)));
            Assert.Equal(headLength, consumed);
        }
    }

    [Theory]
    [InlineData("10000;ouisig=\"UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==\"\r\n")]
    [InlineData("5;ouisig=UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==\r\n")]
    [InlineData("0 ; a = \"x\\\"y\" ; b ; c=d\r\n")]
    [InlineData("fff\r\n")]
    public void ChunkLine_EveryPrefixNeedsMoreData_EverySegmentationGivesTheSameResult(string line)
    {
        var data = Wire.Bytes(line + "data");
        var expected = Parse.ChunkHeader(new ReadOnlySequence<byte>(data));
        Assert.NotNull(expected);
        Assert.Equal(line.Length, expected.Value.Consumed);

        for (var k = 0; k < line.Length; k++)
        {
            Assert.Null(Parse.ChunkHeader(new ReadOnlySequence<byte>(data, 0, k)));
        }
        foreach (var sequence in Segmentations(data))
        {
            var r = Parse.ChunkHeader(sequence);
            Assert.NotNull(r);
            Assert.Equal(expected.Value.Size, r.Value.Size);
            Assert.Equal(expected.Value.Extensions, r.Value.Extensions);
            Assert.Equal(expected.Value.Consumed, r.Value.Consumed);
        }
    }

    [Fact]
    public void Trailers_EveryPrefixNeedsMoreData_EverySegmentationGivesTheSameFields()
    {
        var text = "X-Ouinet-Data-Size: 12\r\nDigest: SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=\r\n\r\n";
        var data = Wire.Bytes(text);
        var expected = Heads.Describe(Parse.Trailers(new ReadOnlySequence<byte>(data))!);

        for (var k = 0; k < data.Length; k++)
        {
            Assert.Null(Parse.Trailers(new ReadOnlySequence<byte>(data, 0, k)));
        }
        foreach (var sequence in Segmentations(data))
        {
            Assert.Equal(expected, Heads.Describe(Parse.Trailers(sequence)!));
        }
    }

    /// <summary>Every single cut, a spread of double cuts, and one byte per segment.</summary>
    private static IEnumerable<ReadOnlySequence<byte>> Segmentations(byte[] data)
    {
        for (var i = 1; i < data.Length; i++)
        {
            yield return Sequences.Split(data, i);
        }
        var step = Math.Max(1, data.Length / 40);
        for (var i = 1; i < data.Length; i += step)
        {
            for (var j = i + 1; j < data.Length; j += step)
            {
                yield return Sequences.Split(data, i, j);
            }
        }
        yield return Sequences.OneBytePerSegment(data);
    }
}
