using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Tests.Keys;

public class InjectorPrivateKeyTests
{
    // RFC 8032 §7.1, TEST 1: empty message.
    private const string Rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Rfc8032Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032Signature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    [Fact]
    public void Rfc8032_test_1_gives_the_expected_public_key_and_signature()
    {
        using var key = InjectorPrivateKey.FromSeed(Convert.FromHexString(Rfc8032Seed));

        var signature = key.Sign([]);

        Assert.Equal(Rfc8032Public, key.PublicKey.ToHex());
        Assert.Equal(Rfc8032Signature, Convert.ToHexStringLower(signature));
        Assert.True(key.PublicKey.Verify([], signature));
    }

    [Fact]
    public void Verify_rejects_a_changed_message_a_changed_signature_and_a_short_signature()
    {
        using var key = InjectorPrivateKey.FromSeed(Convert.FromHexString(Rfc8032Seed));
        var signature = key.Sign("hello"u8);

        Assert.True(key.PublicKey.Verify("hello"u8, signature));
        Assert.False(key.PublicKey.Verify("hellp"u8, signature));
        signature[0] ^= 1;
        Assert.False(key.PublicKey.Verify("hello"u8, signature));
        Assert.False(key.PublicKey.Verify("hello"u8, signature.AsSpan(0, 63)));
    }

    [Fact]
    public void ExportSeed_returns_the_seed_it_was_made_from()
    {
        var seed = Convert.FromHexString(Rfc8032Seed);
        using var key = InjectorPrivateKey.FromSeed(seed);

        Assert.Equal(seed, key.ExportSeed());
    }

    [Fact]
    public void Generate_makes_distinct_working_keys()
    {
        using var a = InjectorPrivateKey.Generate();
        using var b = InjectorPrivateKey.Generate();

        Assert.NotEqual(a.PublicKey, b.PublicKey);
        Assert.True(a.PublicKey.Verify("x"u8, a.Sign("x"u8)));
        Assert.Equal(a.PublicKey, InjectorPrivateKey.FromSeed(a.ExportSeed()).PublicKey);
    }

    [Fact]
    public void FromSeed_refuses_a_wrong_length_as_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => InjectorPrivateKey.FromSeed(new byte[64]));
    }
}
