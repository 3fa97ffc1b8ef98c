using System.IO.Pipelines;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>The streams rebuilt from Ouinet C++'s own tests (read from the shared folder, never copied).</summary>
public class UpstreamStreamTests
{
    private static InjectorPublicKey UpstreamKey(string protocol = "protocol-6") =>
        InjectorPublicKey.FromBytes(Convert.FromBase64String(
            System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(TestPaths.Upstream(protocol, "vector.json"))).RootElement.GetProperty("key").String("public_b64")));

    [Theory(Timeout = 10_000)]
    [InlineData("signed-stream.bin", 3)]
    [InlineData("signed-stream-signingreader.bin", 3)]
    [InlineData("no-trailer-stream.bin", 3)]
    [InlineData("signed-stream-empty.bin", 1)]
    [InlineData("store/served-stream.bin", 3)]
    [InlineData("partial-0-0.bin", 1)]
    [InlineData("partial-0-1.bin", 2)]
    [InlineData("partial-0-2.bin", 3)]
    public async Task Protocol_6_streams_verify(string file, int blocks)
    {
        var outcome = await VerifyAsync(VectorHeads.Upstream(file.Split('/')), UpstreamKey(), TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(blocks, outcome.BlockCount);
        Assert.Equal("https://example.com/foo", outcome.Uri);
        var body = file.Contains("empty", StringComparison.Ordinal) ? [] : VectorHeads.Upstream("body.bin");
        var expected = outcome.Range is { } range ? body[(int)range.First..(int)(range.Last + 1)] : body;
        Assert.Equal(expected, outcome.Body.ToArray());
    }

    [Theory(Timeout = 10_000)]
    [InlineData("store/partial-1-2.bin")]
    [InlineData("store/partial-2-2.bin")]
    public async Task Ranges_served_without_ouipsig_are_unverifiable(string file)
    {
        var outcome = await VerifyAsync(VectorHeads.Upstream(file.Split('/')), UpstreamKey(), TestContext.Current.CancellationToken);

        Assert.Equal(OuinetVerificationError.RangeUnverifiable, outcome.Code);
        Assert.Empty(outcome.Blocks);
    }

    [Fact(Timeout = 10_000)]
    public async Task Storing_the_signed_stream_gives_the_stores_head_and_sigs()
    {
        var outcome = await VerifyAsync(VectorHeads.Upstream("signed-stream.bin"), UpstreamKey(), TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(Text(VectorHeads.Upstream("store", "head")), Text(HeadText.Write(outcome.StoredHead!)));
        Assert.Equal(Text(VectorHeads.Upstream("store", "sigs")), string.Concat(outcome.Blocks.Select(SigsLine)));
    }

    public static TheoryData<string> Protocol7Files()
    {
        var data = new TheoryData<string>();
        foreach (var name in new[] { "signed-stream.bin", "signed-stream-signingreader.bin", "no-trailer-stream.bin", "signed-stream-empty.bin", "partial-0-0.bin", "partial-0-1.bin", "partial-0-2.bin" })
        {
            data.Add(name);
        }
        return data;
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Protocol7Files))]
    public async Task Protocol_7_streams_are_refused_for_their_version_unless_7_is_expected(string file)
    {
        var message = File.ReadAllBytes(TestPaths.Upstream("protocol-7", file));
        var key = UpstreamKey("protocol-7");
        var ct = TestContext.Current.CancellationToken;

        var as6 = await VerifyAsync(message, key, ct);
        var as7 = await VerifyAsync(message, key, ct, new SignedResponseOptions { ExpectedVersion = ProtocolVersion.V7 });

        Assert.Equal(OuinetVerificationError.Version, as6.Code);
        Assert.True(as7.Succeeded, as7.ToString());
    }

    [Theory(Timeout = 10_000)]
    [InlineData(null, "store/served-stream.bin")]
    [InlineData(0, "partial-0-0.bin")]
    [InlineData(1, "partial-0-1.bin")]
    [InlineData(2, "partial-0-2.bin")]
    [InlineData(-12, "store/partial-1-2.bin")]
    [InlineData(-22, "store/partial-2-2.bin")]
    public async Task The_peer_writer_serves_the_store_as_the_C_plus_plus_peer_does(int? range, string file)
    {
        // -12 / -22: blocks 1-2 / 2-2, which we serve with ouipsig+ouihash added to the first chunk line (C4).
        var ct = TestContext.Current.CancellationToken;
        var storedHead = HeadText.ParseResponse(VectorHeads.Upstream("store", "head"));
        var sigs = ReadSigs(Text(VectorHeads.Upstream("store", "sigs")));
        var body = VectorHeads.Upstream("body.bin");
        var (first, last) = range switch { null => (0, 2), -12 => (1, 2), -22 => (2, 2), { } n => (0, n) };
        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        var writer = range is null
            ? PeerResponseWriter.ForEntry(pipe, storedHead)
            : PeerResponseWriter.ForRange(pipe, storedHead, new BlockRange(first, last, 65536, body.Length), first > 0 ? sigs[first - 1].Signature : default);

        await writer.WriteHeadAsync(ct);
        for (var i = first; i <= last; i++)
        {
            var data = body.AsMemory(i * 65536, Math.Min(65536, body.Length - (i * 65536)));
            await writer.WriteBlockAsync(data, sigs[i].Signature, sigs[i].PreviousChainedHash, ct);
        }
        await writer.CompleteAsync(ct);
        await pipe.CompleteAsync();

        var expected = Text(VectorHeads.Upstream(file.Split('/')));
        if (first > 0)
        {
            var psig = Convert.ToBase64String(sigs[first - 1].Signature);
            var phash = Convert.ToBase64String(sigs[first].PreviousChainedHash);
            var at = expected.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
            var lineEnd = expected.IndexOf("\r\n", at, StringComparison.Ordinal);
            expected = expected[..lineEnd] + $";ouipsig=\"{psig}\";ouihash=\"{phash}\"" + expected[lineEnd..];
        }
        Assert.Equal(expected, Text(output.ToArray()));
        Assert.True((await VerifyAsync(output.ToArray(), UpstreamKey(), ct)).Succeeded);
    }

    internal static List<(byte[] Signature, byte[] Hash, byte[] PreviousChainedHash)> ReadSigs(string sigs) =>
        [.. sigs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Select(c =>
            (Convert.FromBase64String(c[1]), Convert.FromBase64String(c[2]), Convert.FromBase64String(c[3])))];
}
