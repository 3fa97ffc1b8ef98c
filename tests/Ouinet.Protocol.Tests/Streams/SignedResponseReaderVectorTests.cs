using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

public class SignedResponseReaderVectorTests
{
    private static readonly InjectorPublicKey Trusted = TestKeys.Trusted().PublicKey;

    public static TheoryData<string> Streams => Files("streams");

    public static TheoryData<string> Negatives => Files("negative", f => f.EndsWith(".http", StringComparison.Ordinal));

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Streams))]
    public async Task Every_manifest_stream_verifies_with_its_status_URI_size_and_blocks(string file)
    {
        var entry = Entry("streams", file);
        var vector = entry.String("vector");
        var body = Manifest.File(vector, "body");

        var outcome = await VerifyAsync(File.ReadAllBytes(TestPaths.Vector(file.Split('/'))), Trusted, TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(entry.String("kind") switch { "range" => SignedResponseKind.Range, "full" => SignedResponseKind.Complete, _ => SignedResponseKind.Stream }, outcome.Kind);
        Assert.Equal(entry.GetProperty("status").GetInt32(), outcome.SignedStatus);
        Assert.Equal(entry.String("uri"), outcome.Uri);
        Assert.Equal(entry.GetProperty("data_size").GetInt64(), outcome.DataSize);
        Assert.Equal(entry.GetProperty("blocks").GetInt64(), outcome.BlockCount);
        Assert.Equal(outcome.BlockCount, outcome.Blocks.Count);
        var expected = outcome.Range is { } range ? body[(int)range.First..(int)(range.Last + 1)] : body;
        Assert.Equal(expected, outcome.Body.ToArray());
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Streams))]
    public async Task Every_manifest_stream_verifies_when_it_arrives_a_few_bytes_at_a_time(string file)
    {
        var message = File.ReadAllBytes(TestPaths.Vector(file.Split('/')));

        var outcome = await VerifyAsync(message, Trusted, TestContext.Current.CancellationToken, maxPerRead: 7);

        Assert.True(outcome.Succeeded, outcome.ToString());
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Negatives))]
    public async Task Every_negative_vector_fails_with_its_code(string file)
    {
        var expected = Entry("negative", file).String("error");

        var outcome = await VerifyAsync(File.ReadAllBytes(TestPaths.Vector(file.Split('/'))), Trusted, TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded, $"{file} verified");
        Assert.Equal(expected, outcome.Code?.ToCode());
    }

    [Theory(Timeout = 10_000)]
    [InlineData("injector_stream", "stored_head")]
    [InlineData("peer_stream", "stored_head")]
    [InlineData("injector_stream_spec_form", "stored_head_spec_form")]
    [InlineData("peer_stream_spec_form", "stored_head_spec_form")]
    public async Task The_stored_head_is_the_vectors_one(string streamKey, string storedHeadKey)
    {
        var outcome = await VerifyAsync(Manifest.File("hello", streamKey), Trusted, TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(Text(Manifest.File("hello", storedHeadKey)), Text(HeadText.Write(outcome.StoredHead!)));
    }

    [Theory(Timeout = 10_000)]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public async Task Every_vectors_streams_store_as_its_stored_head_and_sigs(string vector)
    {
        foreach (var key in new[] { "injector_stream", "peer_stream" })
        {
            var outcome = await VerifyAsync(Manifest.File(vector, key), Trusted, TestContext.Current.CancellationToken);

            Assert.True(outcome.Succeeded, outcome.ToString());
            Assert.Equal(Text(Manifest.File(vector, "stored_head")), Text(HeadText.Write(outcome.StoredHead!)));
            Assert.Equal(Text(Manifest.File(vector, "sigs")), string.Concat(outcome.Blocks.Select(SigsLine)));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task The_head_before_the_first_block_keeps_only_what_Sig0_covers()
    {
        var message = Text(Manifest.File("hello", "injector_stream"))
            .Replace("Content-Type: text/plain\r\n", "Content-Type: text/plain\r\nSet-Cookie: evil=1\r\n", StringComparison.Ordinal);

        var outcome = await VerifyAsync(Bytes(message), Trusted, TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(
            ["Date", "Content-Type", "X-Ouinet-Version", "X-Ouinet-URI", "X-Ouinet-Injection", "X-Ouinet-BSigs", "X-Ouinet-Sig0"],
            outcome.Head!.Fields.Select(f => f.Name));
        Assert.False(outcome.StoredHead!.Fields.Contains("Set-Cookie"));
    }

    private static TheoryData<string> Files(string list, Func<string, bool>? filter = null)
    {
        var data = new TheoryData<string>();
        foreach (var entry in Manifest.Root.GetProperty(list).EnumerateArray())
        {
            var file = entry.String("file");
            if (filter?.Invoke(file) ?? true)
            {
                data.Add(file);
            }
        }
        return data;
    }

    private static System.Text.Json.JsonElement Entry(string list, string file) =>
        Manifest.Root.GetProperty(list).EnumerateArray().Single(e => e.String("file") == file);
}
