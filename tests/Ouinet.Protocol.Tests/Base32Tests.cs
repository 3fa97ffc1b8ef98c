using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Ouinet.Protocol.Tests;

public class Base32Tests
{
    // RFC 4648 §10, lower case and unpadded as Ouinet writes it.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Rfc4648_test_vectors_encode_lower_case_unpadded_and_decode_in_either_case(string data, string encoded)
    {
        var bytes = Encoding.ASCII.GetBytes(data);
        var decoded = new byte[bytes.Length];

        Assert.Equal(encoded, Base32.Encode(bytes));
        Assert.True(Base32.TryDecode(encoded.ToUpperInvariant(), decoded));
        Assert.Equal(bytes, decoded);
    }

    [Theory]
    [InlineData("mzxw6yr", 4)]
    [InlineData("mzxw6y", 4)]
    [InlineData("mzxw6y1", 4)]
    [InlineData("mzxw6yq=", 4)]
    public void Decoding_refuses_wrong_length_bad_characters_and_stray_bits(string text, int length)
    {
        Assert.False(Base32.TryDecode(text, new byte[length]));
    }

    [Fact]
    public void Encode_then_decode_gives_the_bytes_back()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
            {
                var decoded = new byte[bytes.Length];
                return Base32.TryDecode(Base32.Encode(bytes), decoded) && decoded.AsSpan().SequenceEqual(bytes);
            })
            .QuickCheckThrowOnFailure();
    }
}
