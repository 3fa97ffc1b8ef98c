using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Keys;

public class InjectorPublicKeyTests
{
    private const string TrustedHex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string TrustedBase32 = "aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4a";

    [Theory]
    [InlineData("trusted")]
    [InlineData("other")]
    public void Seed_from_key_files_gives_the_public_key_in_all_three_encodings(string which)
    {
        using var key = InjectorPrivateKey.FromSeed(Convert.FromHexString(TestKeys.Read($"{which}.seed.hex")));

        Assert.Equal(TestKeys.Read($"{which}.public.hex"), key.PublicKey.ToHex());
        Assert.Equal(TestKeys.Read($"{which}.public.base32"), key.PublicKey.ToBase32());
        Assert.Equal(TestKeys.Read($"{which}.public.b64"), key.PublicKey.ToBase64());
        Assert.Equal("ed25519=" + TestKeys.Read($"{which}.public.b64"), key.PublicKey.KeyId);
    }

    [Fact]
    public void KeyId_matches_the_manifest()
    {
        using var key = TestKeys.Trusted();

        Assert.Equal(Manifest.Root.GetProperty("key").String("key_id"), key.PublicKey.KeyId);
        Assert.Equal(Manifest.Root.GetProperty("other_key").String("key_id"), TestKeys.Other().PublicKey.KeyId);
    }

    [Theory]
    [InlineData(TrustedHex)]
    [InlineData("03A107BFF3CE10BE1D70DD18E74BC09967E4D6309BA50D5F1DDC8664125531B8")]
    [InlineData(TrustedBase32)]
    [InlineData("AOQQPP7TZYIL4HLQ3UMOOS6ATFT6JVRQTOSQ2XY53SDGIESVGG4A")]
    public void Parse_accepts_hex_and_base32_in_either_case(string text)
    {
        Assert.True(InjectorPublicKey.TryParse(text, out var key, out var error));

        Assert.Equal(KeyParseError.None, error);
        Assert.Equal(TrustedHex, key.ToHex());
        Assert.Equal(key, InjectorPublicKey.Parse(text));
    }

    [Theory]
    [InlineData("", KeyParseError.Empty)]
    [InlineData(null, KeyParseError.Empty)]
    [InlineData("03a107", KeyParseError.WrongLength)]
    [InlineData(TrustedHex + "00", KeyParseError.WrongLength)]
    [InlineData(" " + TrustedHex, KeyParseError.WrongLength)]
    [InlineData("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", KeyParseError.WrongLength)]
    [InlineData("g3a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", KeyParseError.InvalidHex)]
    [InlineData("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b ", KeyParseError.InvalidHex)]
    [InlineData("aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg41", KeyParseError.InvalidBase32)]
    [InlineData("aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4=", KeyParseError.InvalidBase32)]
    [InlineData("aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4b", KeyParseError.NonCanonicalBase32)]
    public void Parse_reports_why_a_key_is_malformed(string? text, KeyParseError expected)
    {
        Assert.False(InjectorPublicKey.TryParse(text, out var key, out var error));

        Assert.Null(key);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Parse_throws_a_format_exception_that_says_why()
    {
        var e = Assert.Throws<FormatException>(() => InjectorPublicKey.Parse("abc"));

        Assert.Contains("64 hex or 52 base32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyId_round_trips()
    {
        using var key = TestKeys.Trusted();

        Assert.True(InjectorPublicKey.TryParseKeyId(key.PublicKey.KeyId, out var parsed, out var error));

        Assert.Equal(KeyParseError.None, error);
        Assert.Equal(key.PublicKey, parsed);
    }

    [Theory]
    [InlineData("", KeyParseError.Empty)]
    [InlineData("rsa=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", KeyParseError.UnknownKeyType)]
    [InlineData("Ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", KeyParseError.UnknownKeyType)]
    [InlineData("ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg", KeyParseError.InvalidBase64)]
    [InlineData("ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbh=", KeyParseError.InvalidBase64)]
    [InlineData("ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJV Mbg=", KeyParseError.InvalidBase64)]
    [InlineData("ed25519=A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", KeyParseError.InvalidBase64)]
    [InlineData("ed25519=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==", KeyParseError.InvalidBase64)]
    public void KeyId_parse_reports_why_a_keyId_is_malformed(string keyId, KeyParseError expected)
    {
        Assert.False(InjectorPublicKey.TryParseKeyId(keyId, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Keys_compare_by_value()
    {
        var a = InjectorPublicKey.Parse(TrustedHex);
        var b = InjectorPublicKey.Parse(TrustedBase32);
        using var other = TestKeys.Other();

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != other.PublicKey);
    }

    [Fact]
    public void FromBytes_refuses_a_wrong_length_as_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => InjectorPublicKey.FromBytes(new byte[31]));
        Assert.False(InjectorPublicKey.TryFromBytes(new byte[33], out _));
    }
}
