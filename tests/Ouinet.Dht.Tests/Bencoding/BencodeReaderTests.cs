using System.Text;
using Ouinet.Dht.Bencoding;

namespace Ouinet.Dht.Tests.Bencoding;

public class BencodeReaderTests
{
    private static BencodeValue Decode(string text, BencodeLimits? limits = null) =>
        BencodeDecoder.Decode(Encoding.Latin1.GetBytes(text), limits ?? BencodeLimits.Default);

    private static BencodeError ErrorOf(string text, BencodeLimits? limits = null) =>
        Assert.Throws<BencodeException>(() => Decode(text, limits)).Error;

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-42e", -42L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void CanonicalIntegers_Decode(string text, long expected) =>
        Assert.Equal(expected, Assert.IsType<BencodeInteger>(Decode(text)).Value);

    [Theory]
    [InlineData("i-0e")]
    [InlineData("i03e")]
    [InlineData("i-03e")]
    [InlineData("ie")]
    [InlineData("i-e")]
    [InlineData("i1x2e")]
    [InlineData("i+1e")]
    [InlineData("i9223372036854775808e")]
    [InlineData("i-9223372036854775809e")]
    [InlineData("i99999999999999999999999e")]
    public void NonCanonicalOrOverflowingIntegers_AreRefused(string text) =>
        Assert.Equal(BencodeError.InvalidInteger, ErrorOf(text));

    [Fact]
    public void Strings_DecodeAsTheirBytes()
    {
        Assert.Equal("spam"u8.ToArray(), Assert.IsType<BencodeString>(Decode("4:spam")).Value.ToArray());
        Assert.Empty(Assert.IsType<BencodeString>(Decode("0:")).Value.ToArray());
    }

    [Theory]
    [InlineData("04:spam", BencodeError.InvalidStringLength)]
    [InlineData("4x:spam", BencodeError.InvalidStringLength)]
    [InlineData("5:spam", BencodeError.UnexpectedEnd)]
    [InlineData("4", BencodeError.UnexpectedEnd)]
    [InlineData("", BencodeError.UnexpectedEnd)]
    [InlineData("x", BencodeError.UnexpectedByte)]
    [InlineData("e", BencodeError.UnexpectedByte)]
    [InlineData("l", BencodeError.UnexpectedEnd)]
    [InlineData("d3:fooe", BencodeError.UnexpectedByte)]
    [InlineData("di1ei2ee", BencodeError.KeyNotString)]
    [InlineData("d1:ai1e1:ai2ee", BencodeError.DuplicateKey)]
    [InlineData("i1ei2e", BencodeError.TrailingData)]
    [InlineData("4:spamx", BencodeError.TrailingData)]
    public void MalformedInput_NamesTheRule(string text, BencodeError expected) => Assert.Equal(expected, ErrorOf(text));

    [Fact]
    public void UnsortedKeys_AreAccepted_ButRefusedInStrictMode()
    {
        Assert.Equal(2, Assert.IsType<BencodeDictionary>(Decode("d1:bi1e1:ai2ee")).Count);
        Assert.Equal(BencodeError.UnsortedKeys, ErrorOf("d1:bi1e1:ai2ee", BencodeLimits.Default with { RequireSortedKeys = true }));
    }

    [Fact]
    public void Output_IsCanonical_WhateverTheInputOrder()
    {
        Assert.Equal("d1:ai2e1:bi1ee", Decode("d1:bi1e1:ai2ee").ToString());
        Assert.Equal("d1:a0:2:aa0:1:bl0:ee", Decode("d1:bl0:e2:aa0:1:a0:e").ToString());
    }

    [Fact]
    public void DepthLimit_IsEnforced()
    {
        var limits = BencodeLimits.Default with { MaxDepth = 3 };
        Decode("llleee", limits);
        Assert.Equal(BencodeError.DepthExceeded, ErrorOf("lllleeee", limits));
        Assert.Equal(BencodeError.DepthExceeded, ErrorOf(new string('l', 10_000) + new string('e', 10_000)));
    }

    [Fact]
    public void SizeAndElementLimits_AreEnforced()
    {
        Assert.Equal(BencodeError.StringTooLong, ErrorOf("11:hello world", BencodeLimits.Default with { MaxStringLength = 10 }));
        Assert.Equal(BencodeError.StringTooLong, ErrorOf("99999999999999999999:x"));
        Assert.Equal(BencodeError.InputTooLarge, ErrorOf("4:spam", BencodeLimits.Default with { MaxInputLength = 5 }));
        Assert.Equal(BencodeError.TooManyElements, ErrorOf("li1ei2ei3ee", BencodeLimits.Default with { MaxElements = 3 }));
    }

    [Fact]
    public void Skip_ChecksWhatItSkips()
    {
        var ok = "d1:xd1:ali1eli2eeee1:y3:abce"u8;
        var reader = new BencodeReader(ok, BencodeLimits.Default);
        reader.Skip();
        Assert.True(reader.AtEnd);

        var bad = Encoding.Latin1.GetBytes("d1:xd1:ali01eee1:y3:abce");
        var e = Assert.Throws<BencodeException>(() =>
        {
            var r = new BencodeReader(bad, BencodeLimits.Default);
            r.Skip();
        });
        Assert.Equal(BencodeError.InvalidInteger, e.Error);
        Assert.Equal(10, e.Position);
    }

    [Fact]
    public void EveryProperPrefix_OfAValue_IsRefusedAsIncomplete()
    {
        var whole = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"u8.ToArray();
        for (var n = 0; n < whole.Length; n++)
        {
            var e = Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(whole.AsSpan(0, n)));
            Assert.Equal(BencodeError.UnexpectedEnd, e.Error);
        }
        Assert.Equal(whole, BencodeDecoder.Decode(whole).Encode());
    }

    [Fact]
    public void Writer_RefusesKeysOutOfOrder()
    {
        var buffer = new byte[64];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var w = new BencodeWriter(buffer);
            w.WriteDictionaryStart();
            w.WriteKey("b"u8);
            w.WriteInteger(1);
            w.WriteKey("a"u8);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            var w = new BencodeWriter(buffer);
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteInteger(1);
            w.WriteKey("a"u8);
        });
    }
}
