using System.Net;
using System.Net.Sockets;
using Ouinet.Utp.Packets;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>Connection life cycle over real loopback sockets.</summary>
public class ConnectionTests
{
    [Fact(Timeout = 10000)]
    public async Task ConnectingToASocketThatDoesNotAccept_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpPair.Client(); // AcceptBacklog 0
        await using var client = UtpPair.Client();
        var e = await Assert.ThrowsAsync<UtpException>(async () => await client.ConnectAsync(server.LocalEndPoint, ct));
        Assert.Equal(UtpError.ConnectionRefused, e.Error);
        Assert.Equal(0, client.ConnectionCount);
        Assert.Equal(1, server.Statistics.RefusedConnections);
    }

    [Fact(Timeout = 10000)]
    public async Task ConnectingToNobody_TimesOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = UtpPair.Client(new UtpSocketOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(UtpPair.AnyLoopback); // bound, never answers
        var e = await Assert.ThrowsAsync<UtpException>(async () => await client.ConnectAsync((IPEndPoint)silent.LocalEndPoint!, ct));
        Assert.Equal(UtpError.TimedOut, e.Error);
        Assert.Equal(0, client.ConnectionCount);
    }

    [Fact(Timeout = 10000)]
    public async Task CancellingAConnect_ThrowsAndForgetsTheConnection()
    {
        await using var client = UtpPair.Client();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(UtpPair.AnyLoopback);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var connect = client.ConnectAsync((IPEndPoint)silent.LocalEndPoint!, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
        Assert.Equal(0, client.ConnectionCount);
    }

    [Fact(Timeout = 10000)]
    public async Task APeerThatResets_FailsPendingReadsAndLaterWrites()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpPair.Listener();
        await using var client = UtpPair.Client();
        var accept = server.AcceptAsync(ct);
        await using var stream = await client.ConnectAsync(server.LocalEndPoint, ct);
        await stream.WriteAsync(new byte[] { 1 }, ct);
        await using var accepted = await accept;
        Assert.Equal(1, await accepted.ReadAsync(new byte[1], ct));
        var read = stream.ReadAsync(new byte[16], ct).AsTask();

        accepted.Abort();

        var e = await Assert.ThrowsAsync<UtpException>(() => read);
        Assert.Equal(UtpError.ConnectionReset, e.Error);
        var write = await Assert.ThrowsAsync<UtpException>(async () => await stream.WriteAsync(new byte[10], ct));
        Assert.Equal(UtpError.ConnectionReset, write.Error);
        Assert.Equal(0, client.ConnectionCount);
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact(Timeout = 10000)]
    public async Task HalfClose_TheOtherDirectionGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpPair.Listener();
        await using var client = UtpPair.Client();
        var accept = server.AcceptAsync(ct);
        await using var stream = await client.ConnectAsync(server.LocalEndPoint, ct);
        await stream.WriteAsync("request"u8.ToArray(), ct);
        stream.CompleteWrites();
        await using var accepted = await accept;

        Assert.Equal("request"u8.ToArray(), await UtpPair.ReadAllAsync(accepted, ct)); // EOF after the FIN
        await stream.WritesClosed.WaitAsync(ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync(new byte[1], ct));

        var response = UtpPair.RandomBytes(300_000);
        await accepted.WriteAsync(response, ct);
        accepted.CompleteWrites();
        Assert.Equal(response, await UtpPair.ReadAllAsync(stream, ct));
        await accepted.WritesClosed.WaitAsync(ct);
        Assert.True(stream.ReadsClosed.IsCompletedSuccessfully);
        Assert.True(accepted.ReadsClosed.IsCompletedSuccessfully);
    }

    [Fact(Timeout = 60000)]
    public async Task ManyConnections_OnOneSocket_AllArriveByteExact()
    {
        var ct = TestContext.Current.CancellationToken;
        const int Count = 40;
        await using var server = UtpPair.Listener(new UtpSocketOptions { AcceptBacklog = Count });
        await using var client = UtpPair.Client();
        var serving = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (var i = 0; i < Count; i++)
            {
                var accepted = await server.AcceptAsync(ct);
                echoes.Add(Task.Run(async () =>
                {
                    await using (accepted)
                    {
                        await accepted.CopyToAsync(accepted, ct); // echo until the FIN
                        accepted.CompleteWrites();
                        await accepted.WritesClosed.WaitAsync(ct);
                    }
                }, ct));
            }
            await Task.WhenAll(echoes);
        }, ct);
        var clients = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            var payload = UtpPair.RandomBytes(20_000 + (i * 5_000));
            await using var stream = await client.ConnectAsync(server.LocalEndPoint, ct);
            var echo = UtpPair.ReadAllAsync(stream, ct);
            await stream.WriteAsync(payload, ct);
            stream.CompleteWrites();
            Assert.Equal(payload, await echo);
        }, ct));
        await Task.WhenAll(clients);
        await serving;
    }

    [Fact(Timeout = 30000)]
    public async Task ASlowReader_StopsTheSender_AndMemoryStaysBounded()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new UtpSocketOptions { SendBufferSize = 64 * 1024, ReceiveBufferSize = 64 * 1024, LoopbackPacketSize = 1400 };
        await using var server = UtpPair.Listener(options);
        await using var client = UtpPair.Client(options);
        var accept = server.AcceptAsync(ct);
        await using var stream = await client.ConnectAsync(server.LocalEndPoint, ct);
        await using var accepted = await accept;
        var payload = UtpPair.RandomBytes(2_000_000);

        var write = stream.WriteAsync(payload, ct).AsTask();
        // Nothing reads: the write must stall. (A negative check needs a bounded wait.)
        await Task.WhenAny(write, Task.Delay(700, ct));
        Assert.False(write.IsCompleted, "the writer finished although nobody read");
        var sent = stream.GetStatistics().BytesSent;
        // The receiver takes a packet while it has room (at most one packet over), plus one zero-window probe.
        Assert.InRange(sent, 1, options.ReceiveBufferSize + (2 * options.MaxPacketSize));

        var received = await UtpPair.ReadAllAsyncUntil(accepted, payload.Length, ct);
        await write;
        Assert.Equal(payload, received);
    }

    [Fact(Timeout = 30000)]
    public async Task SequenceNumbers_WrapAround_WithoutLoss()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new UtpSocketOptions { FixedInitialSeqNr = 65_300, LoopbackPacketSize = 1400 };
        await using var server = UtpPair.Listener(options);
        await using var client = UtpPair.Client(options);
        await using var relay = new LossyUdpRelay(server.LocalEndPoint, new RelayImpairments { Loss = 0.02 }, seed: 3);
        var up = UtpPair.RandomBytes(1_000_000); // ~730 packets: well past 65535
        var down = UtpPair.RandomBytes(800_000);
        var (atServer, atClient) = await UtpPair.ExchangeAsync(server, client, relay.EndPoint, up, down, ct);
        Assert.Equal(up, atServer);
        Assert.Equal(down, atClient);
    }

    [Fact(Timeout = 30000)]
    public async Task JunkDatagrams_AreCountedAndDropped_WhileATransferGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpPair.Listener(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        await using var client = UtpPair.Client(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(UtpPair.AnyLoopback);
        var up = UtpPair.RandomBytes(3_000_000);
        var exchange = UtpPair.ExchangeAsync(server, client, server.LocalEndPoint, up, [], ct);
        var random = new Random(5);
        for (var i = 0; i < 3000 && !exchange.IsCompleted; i++)
        {
            var junk = new byte[random.Next(0, 80)];
            random.NextBytes(junk);
            if (i % 3 == 0 && junk.Length >= UtpHeader.Size)
            {
                junk[0] = (byte)((random.Next(0, 5) << 4) | 1); // a plausible header for an unknown connection
            }
            await attacker.SendToAsync(junk, SocketFlags.None, server.LocalEndPoint, ct);
        }
        var (atServer, _) = await exchange;
        Assert.Equal(up, atServer);
        var stats = server.Statistics;
        Assert.True(stats.MalformedPackets > 0);
        Assert.True(stats.UnknownConnectionPackets > 0);
    }

    [Fact(Timeout = 10000)]
    public async Task DisposingTheSocket_FailsItsStreams()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpPair.Listener();
        var client = UtpPair.Client();
        var accept = server.AcceptAsync(ct);
        var stream = await client.ConnectAsync(server.LocalEndPoint, ct);
        await using var accepted = await accept;
        var read = stream.ReadAsync(new byte[1], ct).AsTask();

        await client.DisposeAsync();

        var e = await Assert.ThrowsAsync<UtpException>(() => read);
        Assert.Equal(UtpError.SocketClosed, e.Error);
        var peer = await Assert.ThrowsAsync<UtpException>(async () => await UtpPair.ReadAllAsync(accepted, ct));
        Assert.Equal(UtpError.ConnectionReset, peer.Error); // the socket reset what was open
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.ConnectAsync(server.LocalEndPoint, ct));
        await stream.DisposeAsync();
    }
}
