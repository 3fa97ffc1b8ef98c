using System.IO.Pipelines;
using System.Text.Json;
using Ouinet.Cache.Store;
using Ouinet.Protocol.Streams;

namespace Ouinet.Cache.Tests.Store;

public class StoredEntryResponderTests
{
    private static readonly Dictionary<string, string> Uris = new()
    {
        ["hello"] = "https://example.com/hello",
        ["big"] = "https://example.com/big.bin",
        ["empty"] = "https://example.com/empty.txt",
        ["redirect"] = "https://example.com/old-location",
        ["aligned"] = "https://example.com/aligned.txt",
    };

    public static TheoryData<string> VectorNames => [.. Uris.Keys];

    public static TheoryData<string, string, string> Ranges
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Vector("manifest.json")));
            foreach (var range in manifest.RootElement.GetProperty("ranges").EnumerateArray())
            {
                if (range.GetProperty("form").GetString() == "cpp")
                {
                    data.Add(range.GetProperty("vector").GetString()!, range.GetProperty("request_range").GetString()!, range.GetProperty("file").GetString()!);
                }
            }
            return data;
        }
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(VectorNames))]
    public async Task WholeEntry_FromTheStaticCacheTree_IsThePeerStreamByteForByte(string name)
    {
        var (outcome, bytes) = await ServeAsync(Uris[name], rangeHeader: null, headOnly: false, TestContext.Current.CancellationToken);
        Assert.Equal(RangeRequestOutcome.Full, outcome);
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector("vectors", name, "peer-stream.http")), bytes);
    }

    [Theory(Timeout = 20000)]
    [MemberData(nameof(Ranges))]
    public async Task RangeRequest_IsTheVectorsBlockAligned206ByteForByte(string name, string range, string file)
    {
        var (outcome, bytes) = await ServeAsync(Uris[name], range, headOnly: false, TestContext.Current.CancellationToken);
        Assert.Equal(RangeRequestOutcome.Partial, outcome);
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector(file.Split('/'))), bytes);
    }

    [Fact(Timeout = 20000)]
    public async Task HeadRequest_SendsTheHeadAlone()
    {
        var (_, bytes) = await ServeAsync(Uris["hello"], null, headOnly: true, TestContext.Current.CancellationToken);
        var stream = File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "peer-stream.http"));
        var headEnd = stream.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        Assert.Equal(stream[..headEnd], bytes);
    }

    [Fact(Timeout = 20000)]
    public async Task RangeBeyondTheBody_Is416WithTheSize()
    {
        var (outcome, bytes) = await ServeAsync(Uris["hello"], "bytes=100-200", headOnly: false, TestContext.Current.CancellationToken);
        Assert.Equal(RangeRequestOutcome.NotSatisfiable, outcome);
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.StartsWith("HTTP/1.1 416 ", text, StringComparison.Ordinal);
        Assert.Contains("Content-Range: bytes */12\r\n", text, StringComparison.Ordinal);
    }

    private static async Task<(RangeRequestOutcome, byte[])> ServeAsync(string uri, string? rangeHeader, bool headOnly, CancellationToken cancellationToken)
    {
        var store = SignedStore.Open(TestPaths.Vector("static-cache", ".ouinet"), TestPaths.Vector("static-cache"), new SignedStoreOptions { ReadOnly = true });
        using var entry = store.TryOpen(uri) ?? throw new InvalidOperationException($"{uri} is not in the vector tree");
        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        var outcome = await StoredEntryResponder.WriteAsync(entry, pipe, rangeHeader, headOnly, cancellationToken);
        await pipe.CompleteAsync();
        return (outcome, output.ToArray());
    }
}
