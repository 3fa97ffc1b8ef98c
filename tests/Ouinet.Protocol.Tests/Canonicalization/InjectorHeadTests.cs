using Ouinet.Http;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Canonicalization;

public class InjectorHeadTests
{
    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void The_origin_response_becomes_the_injector_head_byte_for_byte(string vector)
    {
        using var key = TestKeys.Trusted();
        var manifest = Manifest.Vector(vector);
        var origin = VectorHeads.Head(vector, "origin_response");
        var injection = new InjectionHeader(manifest.String("injection_id"), manifest.GetProperty("ts").GetInt64());

        var head = InjectorHead.Create(origin, manifest.String("uri"), injection, key, manifest.GetProperty("block_size").GetInt32(), ProtocolVersion.V6);

        Assert.Equal(
            System.Text.Encoding.Latin1.GetString(Manifest.File(vector, "injector_head")),
            System.Text.Encoding.Latin1.GetString(HeadText.Write(head)));
    }

    [Fact]
    public void The_upstream_signing_reader_head_is_reproduced_byte_for_byte()
    {
        var upstream = VectorHeads.UpstreamVector();
        using var key = InjectorPrivateKey.FromSeed(Convert.FromBase64String(upstream.GetProperty("key").String("seed_b64")));
        var origin = HeadText.ParseResponse(VectorHeads.Upstream("origin-head.txt"));
        var injection = new InjectionHeader(upstream.String("injection_id"), upstream.GetProperty("injection_ts").GetInt64());

        var head = InjectorHead.Create(origin, "https://example.com/foo", injection, key);

        Assert.Equal(
            System.Text.Encoding.Latin1.GetString(HeadText.HeadBytes(VectorHeads.Upstream("signed-stream-signingreader.bin"))),
            System.Text.Encoding.Latin1.GetString(HeadText.Write(head)));
    }

    [Fact]
    public void The_complete_only_entry_head_lists_no_block_signatures()
    {
        var origin = VectorHeads.Head("hello", "origin_response");
        var injection = new InjectionHeader("qwertyuiop-12345", 1584748800);

        var entry = InjectorHead.CreateEntry(origin, "https://example.com/hello", injection, ProtocolVersion.V6, blockSignatures: null);

        Assert.Equal(
            ["Date", "Content-Type", "X-Ouinet-Version", "X-Ouinet-URI", "X-Ouinet-Injection"],
            entry.Fields.Select(f => f.Name));
    }

    [Fact]
    public void An_origin_with_other_transfer_codings_gets_a_plain_chunked_field_after_Sig0()
    {
        using var key = TestKeys.Trusted();
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Transfer-Encoding", "gzip, chunked");
        origin.Fields.Add("Content-Type", "text/plain");
        origin.Fields.Add("X-Ouinet-Version", "99");
        origin.Fields.Add("Digest", "SHA-256=AAAA");

        var head = InjectorHead.Create(origin, "https://example.com/", new InjectionHeader("id", 1), key, 8);

        Assert.Equal(
            ["Content-Type", "X-Ouinet-Version", "X-Ouinet-URI", "X-Ouinet-Injection", "X-Ouinet-BSigs", "X-Ouinet-Sig0", "Transfer-Encoding", "Trailer"],
            head.Fields.Select(f => f.Name));
        Assert.Equal("6", head.Fields.Get("X-Ouinet-Version"));
        Assert.Equal("chunked", head.Fields.Get("Transfer-Encoding"));
    }
}
