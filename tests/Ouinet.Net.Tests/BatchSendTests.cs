using System.Net;
using System.Net.Sockets;

namespace Ouinet.Net.Tests;

/// <summary>
/// <see cref="UdpDatagramSocket.SendBatchAsync"/>: whatever way the datagrams go down (one segmented send, sendmmsg,
/// one by one), the peer gets the same datagrams, byte-exact and in order.
/// </summary>
public class BatchSendTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Theory(Timeout = 20000)]
    [InlineData("All", "All")] // segmented, and taken whole by the receiver (GRO)
    [InlineData("All", "Native")] // segmented, cut up by the kernel for the receiver
    [InlineData("Native", "All")] // sendmmsg
    [InlineData("None", "None")] // .NET's socket only
    public async Task ABatchToTwoPeers_ArrivesByteExact_InOrder(string senderPathNames, string receiverPathNames)
    {
        var senderPaths = Enum.Parse<UdpFastPaths>(senderPathNames);
        var receiverPaths = Enum.Parse<UdpFastPaths>(receiverPathNames);
        var ct = TestContext.Current.CancellationToken;
        await using var sender = UdpDatagramSocket.Bind(AnyLoopback, UdpDatagramSocket.DefaultBufferSize, senderPaths);
        await using var first = new CollectingMultiplexer(receiverPaths);
        await using var second = new CollectingMultiplexer(receiverPaths);
        var random = new Random(7);
        // Runs of full packets (longer than one segmented send can carry), a short tail, a lone odd size, an empty
        // datagram, one too large to stage, and a run of small ones.
        int[] sizes = [.. Enumerable.Repeat(1380, 100), 700, 1380, 1380, 20, 0, 20_000, 1380, .. Enumerable.Repeat(33, 10)];
        foreach (var peer in new[] { first, second })
        {
            var batch = sizes.Select((size, i) => Numbered(random, size, i)).ToArray();
            await sender.SendBatchAsync(batch.Select(d => (ReadOnlyMemory<byte>)d).ToArray(), peer.EndPoint, ct);
            var received = await peer.ReceiveAsync(batch.Length, ct);
            for (var i = 0; i < batch.Length; i++)
            {
                Assert.Equal(sender.LocalEndPoint, received[i].From);
                Assert.Equal(batch[i], received[i].Data);
            }
            Assert.True(await peer.StaysQuietAsync(TimeSpan.FromMilliseconds(100), ct));
        }
        if (senderPaths.HasFlag(UdpFastPaths.Segmentation) && sender.FastPaths.HasFlag(UdpFastPaths.Segmentation))
        {
            Assert.True(sender.SegmentedSends >= 4, $"{sender.SegmentedSends} segmented sends");
        }
        else
        {
            Assert.Equal(0, sender.SegmentedSends);
        }
    }

    [Fact(Timeout = 20000)]
    public async Task SegmentationRefusedByTheKernel_FallsBackToSendmmsg_AndEveryDatagramArrives()
    {
        // Without UDP checksums (SO_NO_CHECK) the kernel refuses segmentation offload (EINVAL) but sends plain datagrams.
        Assert.SkipUnless(LinuxUdp.IsSupported, "segmentation is Linux only");
        var ct = TestContext.Current.CancellationToken;
        await using var sender = UdpDatagramSocket.Bind(AnyLoopback, UdpDatagramSocket.DefaultBufferSize, UdpFastPaths.All);
        Assert.SkipUnless(sender.FastPaths.HasFlag(UdpFastPaths.Segmentation), "this kernel has no UDP_SEGMENT");
        sender.Socket.SetRawSocketOption(1 /* SOL_SOCKET */, 11 /* SO_NO_CHECK */, BitConverter.GetBytes(1));
        await using var receiver = new CollectingMultiplexer(UdpFastPaths.All);
        var random = new Random(9);
        for (var round = 0; round < 2; round++)
        {
            var batch = Enumerable.Range(0, 20).Select(i => Numbered(random, 1200, i)).ToArray();
            await sender.SendBatchAsync(batch.Select(d => (ReadOnlyMemory<byte>)d).ToArray(), receiver.EndPoint, ct);
            var received = await receiver.ReceiveAsync(batch.Length, ct);
            Assert.Equal(batch, received.Select(r => r.Data));
        }
        Assert.Equal(0, sender.SegmentedSends);
        Assert.Equal(1, sender.RefusedDestinations); // refused once, then not tried again for this peer
        Assert.True(sender.FastPaths.HasFlag(UdpFastPaths.Segmentation)); // other peers still get it
    }

    [Fact(Timeout = 20000)]
    public async Task ABatchThroughTheMultiplexer_OfATestSocket_GoesOneByOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var sent = new List<byte[]>();
        await using var multiplexer = new UdpMultiplexer(new RecordingSocket(sent));
        ReadOnlyMemory<byte>[] batch = [new byte[] { 1 }, new byte[] { 2, 2 }, Array.Empty<byte>()];
        await multiplexer.SendBatchAsync(batch, new IPEndPoint(IPAddress.Loopback, 9), ct);
        Assert.Equal([[1], [2, 2], []], sent);
    }

    [Fact(Timeout = 20000)]
    public async Task AnEmptyBatch_SendsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sender = UdpDatagramSocket.Bind(AnyLoopback);
        await using var receiver = new CollectingMultiplexer(UdpFastPaths.All);
        await sender.SendBatchAsync(ReadOnlySpan<ReadOnlyMemory<byte>>.Empty, receiver.EndPoint, ct);
        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(100), ct));
    }

    private static byte[] Numbered(Random random, int size, int index)
    {
        var data = new byte[size];
        random.NextBytes(data);
        if (size >= 2)
        {
            data[0] = (byte)(index >> 8);
            data[1] = (byte)index;
        }
        return data;
    }

    private sealed class RecordingSocket(List<byte[]> sent) : IDatagramSocket
    {
        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 1);

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
        {
            sent.Add(datagram.ToArray());
            return ValueTask.CompletedTask;
        }

        public async ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException();
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
