using System.Net;

namespace Ouinet.Dht.Tests;

/// <summary>BEP 42's own table of example IDs: each is valid for its IP; an ID we derive keeps the same 21-bit prefix.</summary>
public class Bep42Tests
{
    public static TheoryData<string, int, string> Examples => new()
    {
        { "124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401" },
        { "21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256" },
        { "65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616" },
        { "84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41" },
        { "43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleIds_AreValidForTheirAddress_AndDerivationMatches(string ip, int rand, string id)
    {
        var address = IPAddress.Parse(ip);
        var expected = NodeId.Parse(id);
        Assert.True(Bep42.Matches(expected, address));
        Assert.True(Bep42.IsValid(expected, address));
        Assert.False(Bep42.Matches(expected, IPAddress.Parse("8.8.8.8")));

        var random = new byte[20];
        random[19] = (byte)rand;
        var derived = Bep42.CreateId(address, random);
        Assert.Equal(expected.ToArray()[..2], derived.ToArray()[..2]);
        Assert.Equal(expected.ToArray()[2] & 0xf8, derived.ToArray()[2] & 0xf8);
        Assert.Equal((byte)rand, derived.ToArray()[19]);
        Assert.True(Bep42.Matches(derived, address));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.45.1.2")]
    public void LocalAddresses_AreExempt(string ip)
    {
        var address = IPAddress.Parse(ip);
        Assert.True(Bep42.IsExempt(address));
        Assert.True(Bep42.IsValid(NodeId.Zero, address));
    }

    [Theory]
    [InlineData("172.32.0.1")]
    [InlineData("11.0.0.1")]
    [InlineData("192.169.0.1")]
    public void PublicAddresses_AreNotExempt(string ip)
    {
        Assert.False(Bep42.IsExempt(IPAddress.Parse(ip)));
        Assert.False(Bep42.IsValid(NodeId.Zero, IPAddress.Parse(ip)));
    }
}
