using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ouinet.Dht.Tests;

public class NodeIdTests
{
    [Fact]
    public void Hex_RoundTrips()
    {
        const string hex = "0123456789abcdef0123456789abcdef01234567";
        Assert.Equal(hex, NodeId.Parse(hex).ToString());
        Assert.False(NodeId.TryParse("0123", out _));
        Assert.False(NodeId.TryParse(new string('g', 40), out _));
    }

    [Fact]
    public void CommonPrefixLength_CountsSharedLeadingBits()
    {
        var zero = NodeId.Zero;
        Assert.Equal(160, zero.CommonPrefixLength(zero));
        Assert.Equal(0, zero.CommonPrefixLength(NodeId.Max));
        var bytes = new byte[20];
        bytes[19] = 1;
        Assert.Equal(159, zero.CommonPrefixLength(new NodeId(bytes)));
        bytes[19] = 0;
        bytes[8] = 0x10;
        Assert.Equal(67, zero.CommonPrefixLength(new NodeId(bytes)));
    }

    [Property(MaxTest = 500)]
    public bool CompareDistance_AgreesWithTheXorAsABigEndianNumber(byte[] t, byte[] a, byte[] b)
    {
        if (t.Length < 20 || a.Length < 20 || b.Length < 20)
        {
            return true;
        }
        var target = new NodeId(t.AsSpan(0, 20));
        var x = new NodeId(a.AsSpan(0, 20));
        var y = new NodeId(b.AsSpan(0, 20));
        var dx = target.Xor(x).ToArray();
        var dy = target.Xor(y).ToArray();
        return Math.Sign(target.CompareDistance(x, y)) == Math.Sign(dx.AsSpan().SequenceCompareTo(dy));
    }

    [Property(MaxTest = 300)]
    public Property WithRandomSuffix_SharesExactlyThePrefix() =>
        Prop.ForAll(Gen.Choose(0, 159).ToArbitrary(), Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 40).ToArbitrary(), (prefix, random) =>
        {
            var self = new NodeId(random.AsSpan(0, 20));
            var target = self.WithRandomSuffix(prefix, random.AsSpan(20, 20));
            return self.CommonPrefixLength(target) == prefix;
        });
}
