using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Blocks;

public class BlockSignatureTests
{
    [Theory]
    [MemberData(nameof(Manifest.Blocks), MemberType = typeof(Manifest))]
    public void Static_helpers_reproduce_each_manifest_block(string vector, int index)
    {
        using var key = TestKeys.Trusted();
        var manifest = Manifest.Vector(vector);
        var expected = manifest.GetProperty("blocks")[index];
        var body = Manifest.File(vector, "body");
        var id = manifest.String("injection_id");
        var offset = expected.GetProperty("offset").GetInt64();
        var previousSignature = index == 0 ? [] : Convert.FromBase64String(manifest.GetProperty("blocks")[index - 1].String("signature_b64"));
        var previousChained = Convert.FromHexString(expected.String("prev_chained_hash_hex"));

        var hash = BlockHash.Compute(body.AsSpan((int)offset, expected.GetProperty("size").GetInt32()));
        var chained = ChainedHash.Compute(previousSignature, previousChained, hash);
        var signature = BlockSignature.Sign(key, id, offset, chained);

        Assert.Equal(expected.String("chained_hash_hex"), Convert.ToHexStringLower(chained));
        Assert.Equal(expected.String("signed_message_hex"), Convert.ToHexStringLower(BlockSignature.Message(id, offset, chained)));
        Assert.Equal(expected.String("signature_b64"), Convert.ToBase64String(signature));
        Assert.True(BlockSignature.Verify(key.PublicKey, id, offset, chained, signature));
        Assert.False(BlockSignature.Verify(key.PublicKey, id, offset + 1, chained, signature));
        Assert.False(BlockSignature.Verify(key.PublicKey, id + "x", offset, chained, signature));
    }

    [Fact]
    public void The_message_writes_the_offset_in_decimal_between_NUL_bytes()
    {
        var chained = new byte[64];

        var message = BlockSignature.Message("id", 131072, chained);

        Assert.Equal([.. "id\u0000131072\u0000"u8, .. chained], message);
    }
}
