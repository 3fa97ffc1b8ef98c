using System.Net;

namespace Ouinet.Net.Tests;

/// <summary>The multiplexer's Linux receive thread (recvmmsg): delivery, and that it ends with the multiplexer.</summary>
public class ReceiveThreadTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Theory(Timeout = 20000)]
    [InlineData("All")]
    [InlineData("Native")]
    [InlineData("None")]
    public async Task DatagramsFromManySenders_AllArrive_WithTheirSenders(string pathNames)
    {
        var paths = Enum.Parse<UdpFastPaths>(pathNames);
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new CollectingMultiplexer(paths);
        Assert.Equal(paths.HasFlag(UdpFastPaths.Native) && LinuxUdp.IsSupported, receiver.Multiplexer.ReceiveThread is not null);
        const int Senders = 16;
        const int PerSender = 40;
        var senders = new List<UdpDatagramSocket>();
        try
        {
            for (var s = 0; s < Senders; s++)
            {
                senders.Add(UdpDatagramSocket.Bind(AnyLoopback));
            }
            // Interleaved, in bursts, so recvmmsg gets batches mixing senders; a few at a time so no buffer overflows.
            for (var i = 0; i < PerSender; i++)
            {
                for (var s = 0; s < Senders; s++)
                {
                    await senders[s].SendAsync(Datagram(s, i), receiver.EndPoint, ct);
                }
            }
            var received = await receiver.ReceiveAsync(Senders * PerSender, ct);
            for (var s = 0; s < Senders; s++)
            {
                var fromThisSender = received.Where(r => r.From.Equals(senders[s].LocalEndPoint)).Select(r => r.Data).ToList();
                Assert.Equal(PerSender, fromThisSender.Count);
                for (var i = 0; i < PerSender; i++)
                {
                    Assert.Equal(Datagram(s, i), fromThisSender[i]);
                }
            }
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 10000)]
    public async Task ALargeDatagram_ArrivesWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new CollectingMultiplexer(UdpFastPaths.All);
        await using var sender = UdpDatagramSocket.Bind(AnyLoopback);
        var large = new byte[UdpMultiplexer.MaxDatagramSize - 29];
        new Random(3).NextBytes(large);
        await sender.SendAsync(large, receiver.EndPoint, ct);
        await sender.SendAsync(Array.Empty<byte>(), receiver.EndPoint, ct);
        var received = await receiver.ReceiveAsync(2, ct);
        Assert.Equal(large, received[0].Data);
        Assert.Empty(received[1].Data);
    }

    [Fact(Timeout = 10000)]
    public async Task Dispose_EndsTheReceiveThread_WhileItWaitsInTheKernel()
    {
        Assert.SkipUnless(LinuxUdp.IsSupported, "the receive thread is Linux only");
        var ct = TestContext.Current.CancellationToken;
        var receiver = new CollectingMultiplexer(UdpFastPaths.All);
        var thread = receiver.Multiplexer.ReceiveThread!;
        Assert.True(thread.IsAlive);
        await receiver.DisposeAsync().AsTask().WaitAsync(ct);
        Assert.True(thread.Join(TimeSpan.FromSeconds(5)), "the receive thread is still running");
    }

    [Fact(Timeout = 10000)]
    public async Task Dispose_EndsTheReceiveThread_OnANonBlockingSocket()
    {
        // Any asynchronous .NET operation makes the descriptor non-blocking; the loop then waits in poll instead.
        Assert.SkipUnless(LinuxUdp.IsSupported, "the receive thread is Linux only");
        var ct = TestContext.Current.CancellationToken;
        var socket = UdpDatagramSocket.Bind(AnyLoopback, UdpDatagramSocket.DefaultBufferSize, UdpFastPaths.All);
        socket.Socket.Blocking = false;
        var multiplexer = new UdpMultiplexer(socket);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.Register(_ => true, (d, _) => received.TrySetResult(d.ToArray()));
        multiplexer.Start();
        var thread = multiplexer.ReceiveThread!;
        await using (var sender = UdpDatagramSocket.Bind(AnyLoopback))
        {
            await sender.SendAsync(new byte[] { 1, 2, 3 }, multiplexer.LocalEndPoint, ct);
        }
        Assert.Equal([1, 2, 3], await received.Task.WaitAsync(ct));
        await multiplexer.DisposeAsync().AsTask().WaitAsync(ct);
        Assert.True(thread.Join(TimeSpan.FromSeconds(5)), "the receive thread is still running");
    }

    [Fact(Timeout = 10000)]
    public async Task DisposingTheSocketUnderTheMultiplexer_EndsTheThread()
    {
        Assert.SkipUnless(LinuxUdp.IsSupported, "the receive thread is Linux only");
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new CollectingMultiplexer(UdpFastPaths.All);
        var thread = receiver.Multiplexer.ReceiveThread!;
        await receiver.Socket.DisposeAsync().AsTask().WaitAsync(ct);
        Assert.True(thread.Join(TimeSpan.FromSeconds(5)), "the receive thread is still running");
    }

    [Fact(Timeout = 10000)]
    public async Task DisposeFromAConsumerOnTheReceiveThread_Completes()
    {
        var ct = TestContext.Current.CancellationToken;
        var multiplexer = UdpMultiplexer.Bind(AnyLoopback);
        Task? disposing = null;
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.Register(_ => true, (_, _) =>
        {
            disposing = multiplexer.DisposeAsync().AsTask();
            called.TrySetResult();
        });
        multiplexer.Start();
        var thread = multiplexer.ReceiveThread;
        await using (var sender = UdpDatagramSocket.Bind(AnyLoopback))
        {
            await sender.SendAsync(new byte[] { 1 }, multiplexer.LocalEndPoint, ct);
        }
        await called.Task.WaitAsync(ct);
        await disposing!.WaitAsync(ct);
        Assert.True(thread?.Join(TimeSpan.FromSeconds(5)) ?? true, "the receive thread is still running");
    }

    [Fact(Timeout = 10000)]
    public async Task DisposingASocketReadWithReceiveAsync_FailsThePendingReceive_RatherThanReturningADatagram()
    {
        var ct = TestContext.Current.CancellationToken;
        var socket = UdpDatagramSocket.Bind(AnyLoopback);
        var pending = socket.ReceiveAsync(new byte[16], ct).AsTask();
        await socket.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(ct));
    }

    [Fact(Timeout = 10000)]
    public async Task DisposeTwice_IsHarmless()
    {
        var ct = TestContext.Current.CancellationToken;
        var multiplexer = UdpMultiplexer.Bind(AnyLoopback);
        multiplexer.Start();
        await multiplexer.DisposeAsync().AsTask().WaitAsync(ct);
        await multiplexer.DisposeAsync().AsTask().WaitAsync(ct);
    }

    private static byte[] Datagram(int sender, int index)
    {
        var data = new byte[16 + ((sender * 7 + index) % 50)];
        data[0] = (byte)sender;
        data[1] = (byte)index;
        new Random(sender * 1000 + index).NextBytes(data.AsSpan(2));
        return data;
    }
}
