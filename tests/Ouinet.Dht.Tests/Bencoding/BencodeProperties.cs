using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ouinet.Dht.Bencoding;

namespace Ouinet.Dht.Tests.Bencoding;

/// <summary>Random bencode trees: encoding is canonical, decoding it gives the tree back, and truncations are refused.</summary>
[Properties(Arbitrary = [typeof(BencodeGenerators)], MaxTest = 300)]
public class BencodeProperties
{
    [Property]
    public bool Encode_ThenDecodeStrictly_GivesTheSameBytes(BencodeValue value)
    {
        var bytes = value.Encode();
        var strict = BencodeLimits.Default with { RequireSortedKeys = true };
        return BencodeDecoder.Decode(bytes, strict).Encode().AsSpan().SequenceEqual(bytes);
    }

    [Property]
    public bool EveryTruncation_IsRefused(BencodeValue value, PositiveInt cut)
    {
        var bytes = value.Encode();
        var n = cut.Get % bytes.Length;
        try
        {
            BencodeDecoder.Decode(bytes.AsSpan(0, n));
            return false;
        }
        catch (BencodeException e)
        {
            return e.Error == BencodeError.UnexpectedEnd;
        }
    }

    [Property]
    public bool Skip_ConsumesExactlyOneValue(BencodeValue value)
    {
        var bytes = value.Encode();
        var reader = new BencodeReader(bytes, BencodeLimits.Default);
        reader.Skip();
        return reader.AtEnd;
    }
}

public static class BencodeGenerators
{
    public static Arbitrary<BencodeValue> Values() => Arb.From(Value(4));

    private static Gen<BencodeValue> Value(int depth)
    {
        var integer = ArbMap.Default.GeneratorFor<long>().Select(i => (BencodeValue)new BencodeInteger(i));
        var text = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(b => (BencodeValue)new BencodeString(b));
        if (depth == 0)
        {
            return Gen.OneOf(integer, text);
        }
        var list = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Value(depth - 1), n)).Select(items =>
        {
            var l = new BencodeList();
            foreach (var item in items)
            {
                l.Add(item);
            }
            return (BencodeValue)l;
        });
        var key = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        var dictionary = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(key.SelectMany(k => Value(depth - 1).Select(v => (k, v))), n)).Select(pairs =>
        {
            var d = new BencodeDictionary();
            foreach (var (k, v) in pairs)
            {
                d.TryAdd(k, v);
            }
            return (BencodeValue)d;
        });
        return Gen.Frequency((3, integer), (3, text), (1, list), (1, dictionary));
    }
}
