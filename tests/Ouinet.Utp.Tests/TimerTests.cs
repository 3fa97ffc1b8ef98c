using Ouinet.Utp.Packets;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>Timeouts, keep-alive and Nagle on an in-memory network with a fake clock.</summary>
public class TimerTests
{
    [Fact(Timeout = 30000)]
    public async Task AVanishedPeer_WithDataInFlight_TimesOutAfterTheRetransmissions_AndIsFreed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = FakeNetwork.Create();
        var (client, server) = await net.ConnectAsync(ct);
        await client.WriteAsync(new byte[] { 1 }, ct);
        Assert.Equal(1, await server.ReadAsync(new byte[1], ct));
        net.ServerDatagrams.Vanish();
        var read = client.ReadAsync(new byte[1], ct).AsTask();

        await client.WriteAsync(new byte[10_000], ct);
        // 6 retransmission timeouts from 500 ms, doubling: 0.5 + 1 + 2 + 4 + 8 + 16 + 32 s.
        await net.AdvanceAsync(TimeSpan.FromSeconds(70), () => read.IsCompleted, TimeSpan.FromMilliseconds(100));

        var e = await Assert.ThrowsAsync<UtpException>(() => read);
        Assert.Equal(UtpError.TimedOut, e.Error);
        Assert.Equal(0, net.Client.ConnectionCount);
        var statistics = client.GetStatistics();
        Assert.Equal(7, statistics.Timeouts);
        Assert.True(statistics.Retransmissions >= 6);
    }

    [Fact(Timeout = 30000)]
    public async Task AVanishedPeer_OnAnIdleConnection_TimesOutAfterTheIdleTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = FakeNetwork.DefaultOptions with { IdleTimeout = TimeSpan.FromSeconds(20), KeepAliveInterval = TimeSpan.FromSeconds(5) };
        await using var net = FakeNetwork.Create(options, options);
        var (client, _) = await net.ConnectAsync(ct);
        net.ServerDatagrams.Vanish();
        var read = client.ReadAsync(new byte[1], ct).AsTask();

        await net.AdvanceAsync(TimeSpan.FromSeconds(19), step: TimeSpan.FromMilliseconds(500));
        Assert.False(read.IsCompleted);
        await net.AdvanceAsync(TimeSpan.FromSeconds(2), () => read.IsCompleted, TimeSpan.FromMilliseconds(100));

        var e = await Assert.ThrowsAsync<UtpException>(() => read);
        Assert.Equal(UtpError.TimedOut, e.Error);
        Assert.Equal(0, net.Client.ConnectionCount);
    }

    [Fact(Timeout = 30000)]
    public async Task AnIdleConnection_SendsKeepAlives_AndStaysOpen()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = FakeNetwork.DefaultOptions with { IdleTimeout = TimeSpan.FromSeconds(20), KeepAliveInterval = TimeSpan.FromSeconds(5) };
        await using var net = FakeNetwork.Create(options, options);
        var (client, server) = await net.ConnectAsync(ct);
        var before = net.CountFrom(net.ClientDatagrams.LocalEndPoint, UtpPacketType.State);

        await net.AdvanceAsync(TimeSpan.FromSeconds(60), step: TimeSpan.FromMilliseconds(500));

        Assert.True(net.CountFrom(net.ClientDatagrams.LocalEndPoint, UtpPacketType.State) - before >= 10);
        await client.WriteAsync("still here"u8.ToArray(), ct);
        client.CompleteWrites();
        Assert.Equal("still here"u8.ToArray(), await UtpPair.ReadAllAsync(server, ct));
    }

    [Fact(Timeout = 30000)]
    public async Task SmallWrites_AreCoalesced_WhileEarlierDataIsUnacknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = FakeNetwork.Create();
        var (client, server) = await net.ConnectAsync(ct);
        var from = net.ClientDatagrams.LocalEndPoint;
        // Hold the server's ACKs back, so the first byte stays unacknowledged.
        net.Drop = (sender, _) => sender.Equals(net.ServerDatagrams.LocalEndPoint);

        for (var i = 0; i < 500; i++)
        {
            await client.WriteAsync(new[] { (byte)i }, ct);
        }
        Assert.Equal(1, net.CountFrom(from, UtpPacketType.Data)); // the first byte; the other 499 wait in one packet

        await client.FlushAsync(ct);
        Assert.Equal(2, net.CountFrom(from, UtpPacketType.Data));
        Assert.Equal(499, net.Packets.Last(p => p.From.Equals(from) && p.Header.Type == UtpPacketType.Data).PayloadLength);

        net.Drop = null;
        client.CompleteWrites();
        var all = UtpPair.ReadAllAsync(server, ct);
        await net.AdvanceAsync(TimeSpan.FromSeconds(5), () => all.IsCompleted);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (byte)i), await all);
    }

    [Fact(Timeout = 30000)]
    public async Task ALostSyn_IsSentAgain_AndTheConnectSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = FakeNetwork.Create();
        var dropped = 0;
        net.Drop = (from, _) => from.Equals(net.ClientDatagrams.LocalEndPoint) && Interlocked.Increment(ref dropped) <= 2;
        var connect = net.ConnectAsync(ct);
        await net.AdvanceAsync(TimeSpan.FromSeconds(5), () => connect.IsCompleted);
        var (client, server) = await connect;
        Assert.Equal(3, net.CountFrom(net.ClientDatagrams.LocalEndPoint, UtpPacketType.Syn));
        await client.WriteAsync(new byte[] { 7 }, ct);
        Assert.Equal(1, await server.ReadAsync(new byte[1], ct));
    }

    [Fact(Timeout = 30000)]
    public async Task ACleanClose_FreesBothEnds_AfterTheLinger()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = FakeNetwork.Create();
        var (client, server) = await net.ConnectAsync(ct);
        client.CompleteWrites();
        Assert.Empty(await UtpPair.ReadAllAsync(server, ct));
        server.CompleteWrites();
        Assert.Empty(await UtpPair.ReadAllAsync(client, ct));
        await client.WritesClosed.WaitAsync(ct);
        await server.WritesClosed.WaitAsync(ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
        Assert.Equal(1, net.Client.ConnectionCount); // lingering, to answer a retransmitted FIN

        await net.AdvanceAsync(TimeSpan.FromSeconds(6), () => net.Client.ConnectionCount + net.Server.ConnectionCount == 0);

        Assert.Equal(0, net.Client.ConnectionCount);
        Assert.Equal(0, net.Server.ConnectionCount);
    }
}
