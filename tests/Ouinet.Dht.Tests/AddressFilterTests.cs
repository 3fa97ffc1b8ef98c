using System.Net;

namespace Ouinet.Dht.Tests;

public class AddressFilterTests
{
    [Fact]
    public void LoopbackOnly_AllowsExactly127Slash8()
    {
        var filter = AddressFilter.Create(loopbackOnly: true, allowMartians: false);
        Assert.True(filter.IsAllowed(IPEndPoint.Parse("127.0.0.1:6881")));
        Assert.True(filter.IsAllowed(IPEndPoint.Parse("127.9.8.7:1")));
        Assert.False(filter.IsAllowed(IPEndPoint.Parse("127.0.0.1:0")));
        Assert.False(filter.IsAllowed(IPEndPoint.Parse("67.215.246.10:6881")));
        Assert.False(filter.IsAllowed(IPEndPoint.Parse("10.0.0.1:6881")));
        Assert.False(filter.IsAllowed(IPEndPoint.Parse("[::1]:6881")));
    }

    [Theory]
    [InlineData("0.1.2.3:6881")]
    [InlineData("127.0.0.1:6881")]
    [InlineData("224.0.0.1:6881")]
    [InlineData("255.255.255.255:6881")]
    [InlineData("240.0.0.1:6881")]
    [InlineData("8.8.8.8:0")]
    public void Martians_AreRefusedOnThePublicNetwork_UnlessAllowed(string endPoint)
    {
        var ep = IPEndPoint.Parse(endPoint);
        Assert.False(AddressFilter.Create(false, false).IsAllowed(ep));
        if (ep.Port != 0 && !IPAddress.IsLoopback(ep.Address))
        {
            Assert.True(AddressFilter.Create(false, true).IsAllowed(ep));
        }
    }

    [Fact]
    public void OrdinaryAddresses_AreAllowedOnThePublicNetwork()
    {
        Assert.True(AddressFilter.Create(false, false).IsAllowed(IPEndPoint.Parse("8.8.8.8:6881")));
        Assert.True(AddressFilter.Create(false, false).IsAllowed(IPEndPoint.Parse("192.168.1.2:6881")));
    }
}
