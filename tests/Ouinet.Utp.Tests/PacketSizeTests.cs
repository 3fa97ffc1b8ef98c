using System.Net;
using Microsoft.Extensions.Time.Testing;
using Ouinet.Net;
using Ouinet.Utp.Packets;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>
/// Packets above 1400 bytes only go to a peer that announced it takes them (our DatagramLimit extension), and only
/// over loopback. The in-memory network lets a test give a node a non-loopback address without any traffic leaving.
/// </summary>
public class PacketSizeTests
{
    [Fact(Timeout = 10000)]
    public async Task TwoOfUs_OverLoopback_UseLargeDatagrams()
    {
        var sizes = await TransferAsync(IPAddress.Loopback, new UtpSocketOptions(), new UtpSocketOptions(), TestContext.Current.CancellationToken);
        Assert.Equal((64_000, 64_000), sizes.Stats);
        Assert.Equal(64_000, sizes.Largest);
    }

    [Fact(Timeout = 10000)]
    public async Task APeerNotOnLoopback_Gets1400BytePackets_EvenIfItAnnouncesMore()
    {
        var sizes = await TransferAsync(IPAddress.Parse("10.1.2.3"), new UtpSocketOptions(), new UtpSocketOptions(), TestContext.Current.CancellationToken);
        Assert.Equal((1400, 1400), sizes.Stats);
        Assert.Equal(1400, sizes.Largest);
    }

    [Fact(Timeout = 10000)]
    public async Task APeerThatDoesNotAnnounce_Gets1400BytePackets_AndSoDoWe()
    {
        var sizes = await TransferAsync(IPAddress.Loopback, new UtpSocketOptions(), new UtpSocketOptions { LoopbackPacketSize = 1400 }, TestContext.Current.CancellationToken);
        Assert.Equal((1400, 1400), sizes.Stats);
        Assert.Equal(1400, sizes.Largest);
    }

    [Fact(Timeout = 10000)]
    public async Task TheUdpSocket_IsSharedWithABencodedConsumer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var multiplexer = UdpMultiplexer.Bind(UtpPair.AnyLoopback);
        var krpc = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.Register(UdpMultiplexer.IsBencodedDictionary, (d, _) => krpc.TrySetResult(d.ToArray())); // the DHT registers first
        await using var server = new UtpSocket(multiplexer, new UtpSocketOptions { AcceptBacklog = 1 });
        multiplexer.Start();
        await using var client = UtpPair.Client();

        var accept = server.AcceptAsync(ct);
        await using var stream = await client.ConnectAsync(multiplexer.LocalEndPoint, ct);
        await using var peer = UdpDatagramSocket.Bind(UtpPair.AnyLoopback);
        var ping = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"u8.ToArray();
        await peer.SendAsync(ping, multiplexer.LocalEndPoint, ct);
        var payload = UtpPair.RandomBytes(200_000);
        await stream.WriteAsync(payload, ct);
        stream.CompleteWrites();

        await using var accepted = await accept;
        Assert.Equal(payload, await UtpPair.ReadAllAsync(accepted, ct));
        Assert.Equal(ping, await krpc.Task.WaitAsync(ct));
        Assert.Equal(0, server.Statistics.MalformedPackets);
    }

    private static async Task<((int, int) Stats, int Largest)> TransferAsync(IPAddress address, UtpSocketOptions server, UtpSocketOptions client, CancellationToken ct)
    {
        var network = new InMemoryNetwork();
        var largest = 0;
        network.Filter = (_, _, datagram) =>
        {
            InterlockedMax(ref largest, datagram.Length);
            return true;
        };
        var time = new FakeTimeProvider();
        await using var a = UtpSocket.Create(network.Bind(address), server with { AcceptBacklog = 1 }, time);
        await using var b = UtpSocket.Create(network.Bind(address), client, time);
        var accept = a.AcceptAsync(ct);
        await using var stream = await b.ConnectAsync(a.LocalEndPoint, ct);
        await using var accepted = await accept;
        var payload = UtpPair.RandomBytes(300_000);
        await stream.WriteAsync(payload, ct);
        await accepted.WriteAsync(payload, ct);
        stream.CompleteWrites();
        accepted.CompleteWrites();
        Assert.Equal(payload, await UtpPair.ReadAllAsync(accepted, ct));
        Assert.Equal(payload, await UtpPair.ReadAllAsync(stream, ct));
        return ((stream.GetStatistics().PacketSize, accepted.GetStatistics().PacketSize), largest);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
