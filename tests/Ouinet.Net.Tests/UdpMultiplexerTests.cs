using System.Net;
using System.Threading.Channels;

namespace Ouinet.Net.Tests;

public class UdpMultiplexerTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact(Timeout = 10000)]
    public async Task BencodedDatagrams_GoToTheDht_AndTheRestToUtp_OnOneSocket()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mux = UdpMultiplexer.Bind(AnyLoopback);
        var dht = Channel.CreateUnbounded<(byte[], IPEndPoint)>();
        var utp = Channel.CreateUnbounded<(byte[], IPEndPoint)>();
        mux.Register(UdpMultiplexer.IsBencodedDictionary, (d, from) => dht.Writer.TryWrite((d.ToArray(), from)));
        mux.Register(_ => true, (d, from) => utp.Writer.TryWrite((d.ToArray(), from)));
        mux.Start();

        await using var peer = UdpDatagramSocket.Bind(AnyLoopback);
        var ping = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"u8.ToArray();
        byte[] syn = [0x41, 0x00, 0x12, 0x34];
        await peer.SendAsync(ping, mux.LocalEndPoint, ct);
        await peer.SendAsync(syn, mux.LocalEndPoint, ct);

        var (gotPing, pingFrom) = await dht.Reader.ReadAsync(ct);
        var (gotSyn, _) = await utp.Reader.ReadAsync(ct);
        Assert.Equal(ping, gotPing);
        Assert.Equal(syn, gotSyn);
        Assert.Equal(peer.LocalEndPoint, pingFrom);
    }

    [Fact(Timeout = 10000)]
    public async Task AFailingConsumer_DoesNotStopTheLoop()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mux = UdpMultiplexer.Bind(AnyLoopback);
        var received = Channel.CreateUnbounded<byte>();
        mux.Register(_ => true, (d, _) =>
        {
            if (d[0] == 0)
            {
                throw new InvalidOperationException("consumer bug");
            }
            received.Writer.TryWrite(d[0]);
        });
        mux.Start();
        await using var peer = UdpDatagramSocket.Bind(AnyLoopback);
        await peer.SendAsync(new byte[] { 0 }, mux.LocalEndPoint, ct);
        await peer.SendAsync(new byte[] { 7 }, mux.LocalEndPoint, ct);
        Assert.Equal(7, await received.Reader.ReadAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task DatagramsNoConsumerWants_AreCountedAndDropped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var mux = UdpMultiplexer.Bind(AnyLoopback);
        var seen = Channel.CreateUnbounded<bool>();
        mux.Register(UdpMultiplexer.IsBencodedDictionary, (_, _) => seen.Writer.TryWrite(true));
        mux.Start();
        await using var peer = UdpDatagramSocket.Bind(AnyLoopback);
        await peer.SendAsync(new byte[] { 1, 2, 3 }, mux.LocalEndPoint, ct);
        await peer.SendAsync("de"u8.ToArray(), mux.LocalEndPoint, ct);
        await seen.Reader.ReadAsync(ct);
        Assert.Equal(1, mux.UnclaimedDatagrams);
    }

    [Fact(Timeout = 10000)]
    public async Task SendToAClosedPort_ThenReceive_KeepsWorking()
    {
        // Linux turns an ICMP port-unreachable from an earlier send into an error on the next receive.
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UdpDatagramSocket.Bind(AnyLoopback);
        int closedPort;
        await using (var closed = UdpDatagramSocket.Bind(AnyLoopback))
        {
            closedPort = closed.LocalEndPoint.Port;
        }
        await socket.SendAsync(new byte[] { 1 }, new IPEndPoint(IPAddress.Loopback, closedPort), ct);
        await using var peer = UdpDatagramSocket.Bind(AnyLoopback);
        await peer.SendAsync(new byte[] { 9 }, socket.LocalEndPoint, ct);
        var buffer = new byte[16];
        var result = await socket.ReceiveAsync(buffer, ct);
        Assert.Equal(1, result.Length);
        Assert.Equal(9, buffer[0]);
    }

    [Theory]
    [InlineData("de", true)]
    [InlineData("d1:y1:qe", true)]
    [InlineData("d", false)]
    [InlineData("li1ee", false)]
    public void IsBencodedDictionary_LooksAtTheFirstAndLastByte(string datagram, bool expected) =>
        Assert.Equal(expected, UdpMultiplexer.IsBencodedDictionary(System.Text.Encoding.ASCII.GetBytes(datagram)));
}
