using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Headers;

public class BlockSignaturesHeaderTests
{
    private const string KeyId = "ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void For_the_trusted_key_reproduces_the_manifest_value(string vector)
    {
        var expected = Manifest.Vector(vector);
        using var key = TestKeys.Trusted();

        var header = BlockSignaturesHeader.For(key.PublicKey, expected.GetProperty("block_size").GetInt32());

        Assert.Equal(expected.String("x_ouinet_bsigs"), header.Format());
        Assert.True(BlockSignaturesHeader.TryParse(expected.String("x_ouinet_bsigs"), out var parsed, out _));
        Assert.Equal(header, parsed);
        Assert.True(parsed.TryGetPublicKey(out var named));
        Assert.Equal(key.PublicKey, named);
    }

    [Theory]
    [InlineData("keyId=\"" + KeyId + "\", algorithm=\"hs2019\", size=5")]
    [InlineData("size=\"5\",algorithm=hs2019,keyId=" + KeyId)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=5,extra=\"x\"")]
    public void Parse_accepts_whitespace_any_order_quoting_and_unknown_parameters(string value)
    {
        Assert.True(BlockSignaturesHeader.TryParse(value, out var header, out _));

        Assert.Equal(new BlockSignaturesHeader(KeyId, "hs2019", 5), header);
    }

    [Theory]
    [InlineData("algorithm=\"hs2019\",size=5", HeaderParseError.MissingKeyId)]
    [InlineData("keyId=\"" + KeyId + "\",size=5", HeaderParseError.MissingAlgorithm)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\"", HeaderParseError.MissingSize)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=5k", HeaderParseError.InvalidSize)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=-5", HeaderParseError.InvalidSize)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=0", HeaderParseError.BlockSizeOutOfRange)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=1048577", HeaderParseError.BlockSizeOutOfRange)]
    [InlineData("keyId=\"" + KeyId + "\",algorithm=\"hs2019\",size=5,size=6", HeaderParseError.DuplicateParameter)]
    [InlineData("keyId=\"" + KeyId + ",algorithm=\"hs2019\",size=5", HeaderParseError.CommaInQuotedString)]
    [InlineData("keyId=\"" + KeyId, HeaderParseError.UnterminatedQuotedString)]
    [InlineData("keyId=\"a\\\"b\",algorithm=\"hs2019\",size=5", HeaderParseError.InvalidQuotedString)]
    [InlineData("keyId=\"" + KeyId + "\"x,algorithm=\"hs2019\",size=5", HeaderParseError.MalformedParameter)]
    public void Parse_reports_why_a_value_is_malformed(string value, HeaderParseError expected)
    {
        Assert.False(BlockSignaturesHeader.TryParse(value, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_largest_accepted_block_size_is_one_mebibyte()
    {
        Assert.True(BlockSignaturesHeader.TryParse($"keyId=\"{KeyId}\",algorithm=\"hs2019\",size=1048576", out var header, out _));
        Assert.Equal(1048576, header.BlockSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockSignaturesHeader(KeyId, "hs2019", 1048577));
    }
}
