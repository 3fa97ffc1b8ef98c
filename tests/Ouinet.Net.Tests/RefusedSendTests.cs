using System.Net;
using System.Threading.Channels;

namespace Ouinet.Net.Tests;

/// <summary>
/// A datagram the local host refuses to send (a packet filter's EPERM, a broadcast's EACCES) is lost as the network could
/// lose it: the send does not throw, so the DHT's send loop (which ends on an exception) keeps going.
/// </summary>
public class RefusedSendTests
{
    [Fact(Timeout = 10000)]
    public async Task ASendTheHostRefuses_IsDropped_AndTheSocketGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Any, 0));
        await using var peer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var received = Channel.CreateUnbounded<byte[]>();
        peer.Register(_ => true, (d, _) => received.Writer.TryWrite(d.ToArray()));
        peer.Start();

        // Broadcast without SO_BROADCAST: the kernel answers EACCES.
        await socket.SendAsync(new byte[] { 1 }, new IPEndPoint(IPAddress.Broadcast, 9), ct);
        await socket.SendAsync(new byte[] { 2 }, peer.LocalEndPoint, ct);
        Assert.Equal([2], await received.Reader.ReadAsync(ct));
    }
}
