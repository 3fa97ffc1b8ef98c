using System.Text.Json;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Blocks;

public class ChainHasherTests
{
    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Signing_every_vector_body_reproduces_its_blocks_json(string vector)
    {
        using var key = TestKeys.Trusted();
        var manifest = Manifest.Vector(vector);
        var body = Manifest.File(vector, "body");
        var blockSize = manifest.GetProperty("block_size").GetInt32();
        var expected = JsonDocument.Parse(Manifest.File(vector, "blocks")).RootElement.EnumerateArray().ToArray();
        var chain = new ChainHasher(manifest.String("injection_id"), blockSize);

        foreach (var e in expected)
        {
            var offset = e.GetProperty("offset").GetInt32();
            var (block, signature) = chain.SignNext(key, body.AsSpan(offset, e.GetProperty("size").GetInt32()));

            Assert.Equal(e.GetProperty("index").GetInt64(), block.Index);
            Assert.Equal(offset, block.Offset);
            Assert.Equal(e.String("hash_hex"), Hex(block.Hash));
            Assert.Equal(e.String("prev_chained_hash_hex"), Hex(block.PreviousChainedHash));
            Assert.Equal(e.String("chained_hash_hex"), Hex(block.ChainedHash));
            Assert.Equal(e.String("chained_hash_b64"), Convert.ToBase64String(block.ChainedHash.Span));
            Assert.Equal(e.String("signed_message_hex"), Hex(block.SignedMessage));
            Assert.Equal(e.String("signature_hex"), Convert.ToHexStringLower(signature));
            Assert.Equal(e.String("signature_b64"), Convert.ToBase64String(signature));
        }
        Assert.Equal(manifest.GetProperty("blocks_count").GetInt32(), chain.BlockIndex);
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Verifying_every_vector_body_with_its_signatures_succeeds_block_by_block(string vector)
    {
        using var key = TestKeys.Trusted();
        var manifest = Manifest.Vector(vector);
        var body = Manifest.File(vector, "body");
        var chain = new ChainHasher(manifest.String("injection_id"), manifest.GetProperty("block_size").GetInt32());

        foreach (var e in manifest.GetProperty("blocks").EnumerateArray())
        {
            var block = body.AsSpan(e.GetProperty("offset").GetInt32(), e.GetProperty("size").GetInt32());
            Assert.True(chain.TryVerifyNext(key.PublicKey, block, Convert.FromBase64String(e.String("signature_b64")), out _));
        }
    }

    [Fact]
    public void The_spec_hello_example_gives_the_spec_hashes()
    {
        var chain = new ChainHasher("qwertyuiop-12345", 5);
        var body = "Hello world!"u8.ToArray();

        var block0 = chain.Compute(body.AsSpan(0, 5));

        Assert.Equal("3615f80c9d293ed7402687f94b22d58e529b8cc7916f8fac7fddf7fbd5af4cf777d3d795a7a00a16bf7e7f3fb9561ee9baae480da9fe7a18769e71886b03f315", Hex(block0.Hash));
        Assert.Equal("aa82fd4f26829609f65c8a4828f40326897e7099e22f366306fbf870a691e590fa3335eb5e9399511aed5a901adb747feee7fb0198952175c0d8bf4034d45c23", Convert.ToHexStringLower(BlockHash.Compute(" worl"u8)));
        Assert.Equal("7def752f32053ab9b715d7d3f9364df7a050eb86f88a558a0d42aff49b4671a2dfabde2beb8ad15d69c623e27b8cdfdf3d83bf4249940654b77d6a12bdff125e", Convert.ToHexStringLower(BlockHash.Compute("d!"u8)));
        // chained-hash(0) = sha512(hash(0)): the empty sig(-1) and chained-hash(-1) add nothing.
        Assert.Equal(BlockHash.Compute(block0.Hash.Span), block0.ChainedHash.ToArray());
        Assert.Equal([.. "qwertyuiop-12345\u00000\u0000"u8, .. block0.ChainedHash.Span], block0.SignedMessage.ToArray());
    }

    [Fact]
    public void Wrong_signatures_do_not_advance_the_chain()
    {
        using var key = TestKeys.Trusted();
        using var other = TestKeys.Other();
        var signer = new ChainHasher("id", 5);
        var (_, signature0) = signer.SignNext(key, "Hello"u8);
        var verifier = new ChainHasher("id", 5);

        Assert.False(verifier.TryVerifyNext(key.PublicKey, "Hellp"u8, signature0, out _));
        Assert.False(verifier.TryVerifyNext(other.PublicKey, "Hello"u8, signature0, out _));
        Assert.Equal(0, verifier.BlockIndex);
        Assert.True(verifier.TryVerifyNext(key.PublicKey, "Hello"u8, signature0, out _));
        Assert.Equal(1, verifier.BlockIndex);
        Assert.Equal(signature0, verifier.PreviousSignature.ToArray());
    }

    [Fact]
    public void Swapped_blocks_fail_because_offset_and_chain_differ()
    {
        using var key = TestKeys.Trusted();
        var signer = new ChainHasher("id", 2);
        var (_, s0) = signer.SignNext(key, "ab"u8);
        var (_, s1) = signer.SignNext(key, "cd"u8);
        var verifier = new ChainHasher("id", 2);

        Assert.False(verifier.TryVerifyNext(key.PublicKey, "cd"u8, s1, out _));
        Assert.True(verifier.TryVerifyNext(key.PublicKey, "ab"u8, s0, out _));
        Assert.True(verifier.TryVerifyNext(key.PublicKey, "cd"u8, s1, out _));
    }

    public static TheoryData<int> Ranges => [.. Enumerable.Range(0, Manifest.Root.GetProperty("ranges").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Ranges))]
    public void A_range_resumed_from_ouipsig_and_ouihash_verifies_its_blocks(int rangeIndex)
    {
        using var key = TestKeys.Trusted();
        var range = Manifest.Root.GetProperty("ranges")[rangeIndex];
        var vector = range.String("vector");
        var manifest = Manifest.Vector(vector);
        var body = Manifest.File(vector, "body");
        var blockSize = manifest.GetProperty("block_size").GetInt32();
        var first = range.GetProperty("first_block").GetInt32();
        var chain = first == 0
            ? new ChainHasher(manifest.String("injection_id"), blockSize)
            : ChainHasher.Resume(manifest.String("injection_id"), blockSize, first,
                Convert.FromBase64String(range.String("ouipsig_b64")), Convert.FromBase64String(range.String("ouihash_b64")));

        Assert.True(chain.VerifiesPrevious(key.PublicKey));
        for (var i = first; i <= range.GetProperty("last_block").GetInt32(); i++)
        {
            var expected = manifest.GetProperty("blocks")[i];
            var block = body.AsSpan(i * blockSize, expected.GetProperty("size").GetInt32());
            Assert.True(chain.TryVerifyNext(key.PublicKey, block, Convert.FromBase64String(expected.String("signature_b64")), out _));
        }
    }

    [Fact]
    public void A_resumed_range_with_a_flipped_ouihash_is_detected_before_any_block()
    {
        using var key = TestKeys.Trusted();
        var range = Manifest.Root.GetProperty("ranges")[0];
        var hash = Convert.FromBase64String(range.String("ouihash_b64"));
        hash[0] ^= 1;

        var chain = ChainHasher.Resume("qwertyuiop-12345", 5, 1, Convert.FromBase64String(range.String("ouipsig_b64")), hash);

        Assert.False(chain.VerifiesPrevious(key.PublicKey));
    }

    [Fact]
    public void Upstream_protocol_6_blocks_and_empty_body_are_reproduced()
    {
        var upstream = VectorHeads.UpstreamVector();
        using var key = InjectorPrivateKey.FromSeed(Convert.FromBase64String(upstream.GetProperty("key").String("seed_b64")));
        var body = VectorHeads.Upstream("body.bin");
        var id = upstream.String("injection_id");
        var chain = new ChainHasher(id, upstream.GetProperty("block_size").GetInt32());

        foreach (var e in upstream.GetProperty("blocks").EnumerateArray())
        {
            var (block, signature) = chain.SignNext(key, body.AsSpan(e.GetProperty("offset").GetInt32(), e.GetProperty("size").GetInt32()));
            Assert.Equal(e.String("dhash_hex"), Hex(block.Hash));
            Assert.Equal(e.String("chash_hex"), Hex(block.ChainedHash));
            Assert.Equal(e.String("signed_message_hex"), Hex(block.SignedMessage));
            Assert.Equal(e.String("sig_b64"), Convert.ToBase64String(signature));
        }

        var empty = upstream.GetProperty("empty_body_block");
        var (emptyBlock, emptySignature) = new ChainHasher(id, 65536).SignNext(key, []);
        Assert.Equal(empty.String("dhash_b64"), Convert.ToBase64String(emptyBlock.Hash.Span));
        Assert.Equal(empty.String("chash_b64"), Convert.ToBase64String(emptyBlock.ChainedHash.Span));
        Assert.Equal(empty.String("sig_b64"), Convert.ToBase64String(emptySignature));
    }

    [Fact]
    public void Misuse_is_refused_as_a_caller_bug()
    {
        var chain = new ChainHasher("id", 4);
        var block = chain.Compute("abcd"u8);

        Assert.Throws<ArgumentException>(() => chain.Compute("abcde"u8));
        Assert.Throws<ArgumentException>(() => chain.Advance(block, new byte[63]));
        chain.Advance(block, new byte[64]);
        Assert.Throws<InvalidOperationException>(() => chain.Advance(block, new byte[64]));
        Assert.Throws<ArgumentException>(() => new ChainHasher("bad id", 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChainHasher.Resume("id", 4, 0, new byte[64], new byte[64]));
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);
}
