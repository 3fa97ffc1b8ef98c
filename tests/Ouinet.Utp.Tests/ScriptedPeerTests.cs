using System.Net;
using System.Net.Sockets;
using Ouinet.Utp.Packets;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>
/// Tier 2: a peer scripted packet by packet on a raw loopback UDP socket (as shared/interop/raw_utp.py does), so the
/// wire format is checked against BEP 29 itself rather than against our own other end.
/// </summary>
public sealed class ScriptedPeerTests : IDisposable
{
    private readonly Socket _peer = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public ScriptedPeerTests() => _peer.Bind(UtpPair.AnyLoopback);

    private IPEndPoint PeerEndPoint => (IPEndPoint)_peer.LocalEndPoint!;

    public void Dispose() => _peer.Dispose();

    [Fact(Timeout = 10000)]
    public async Task Acceptor_AnswersTheSyn_AcksInOrder_AndSelectivelyAcksAGap()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Listener(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        var accept = socket.AcceptAsync(ct);

        await SendAsync(socket, UtpPacketType.Syn, connectionId: 0x1234, seqNr: 1, ackNr: 0, ct: ct);
        var synAck = await ReceiveAsync(UtpPacketType.State, ct);
        Assert.Equal(0x1234, synAck.Header.ConnectionId); // we send with the SYN's id, and receive on id + 1
        Assert.Equal(1, synAck.Header.AckNr);
        var ourSeq = synAck.Header.SeqNr;
        await using var stream = await accept;

        await SendAsync(socket, UtpPacketType.Data, 0x1235, seqNr: 2, ackNr: (ushort)(ourSeq - 1), payload: "A"u8.ToArray(), ct: ct);
        Assert.Equal(2, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);
        await SendAsync(socket, UtpPacketType.Data, 0x1235, seqNr: 4, ackNr: (ushort)(ourSeq - 1), payload: "C"u8.ToArray(), ct: ct);
        var gap = await ReceiveAsync(UtpPacketType.State, ct);
        Assert.Equal(2, gap.Header.AckNr);
        Assert.Equal(UtpExtension.SelectiveAck, gap.Header.Extension);
        Assert.Equal(4, gap.SelectiveAck.Length);
        Assert.Equal(0b1, gap.SelectiveAck[0]); // bit 0 = ack_nr + 2 = 4
        await SendAsync(socket, UtpPacketType.Data, 0x1235, seqNr: 3, ackNr: (ushort)(ourSeq - 1), payload: "B"u8.ToArray(), ct: ct);
        Assert.Equal(4, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);
        await SendAsync(socket, UtpPacketType.Fin, 0x1235, seqNr: 5, ackNr: (ushort)(ourSeq - 1), ct: ct);
        Assert.Equal(5, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);

        Assert.Equal("ABC"u8.ToArray(), await UtpPair.ReadAllAsync(stream, ct));
    }

    [Fact(Timeout = 10000)]
    public async Task Initiator_SendsTheSynOnItsReceiveId_AndDataOnThatIdPlusOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Client(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        var connect = socket.ConnectAsync(PeerEndPoint, ct).AsTask();

        var syn = await ReceiveAsync(UtpPacketType.Syn, ct);
        var recvId = syn.Header.ConnectionId;
        await SendAsync(socket, UtpPacketType.State, recvId, seqNr: 100, ackNr: syn.Header.SeqNr, ct: ct);
        await using var stream = await connect;

        await stream.WriteAsync("hi"u8.ToArray(), ct);
        var data = await ReceiveAsync(UtpPacketType.Data, ct);
        Assert.Equal((ushort)(recvId + 1), data.Header.ConnectionId);
        Assert.Equal((ushort)(syn.Header.SeqNr + 1), data.Header.SeqNr);
        Assert.Equal(99, data.Header.AckNr); // nothing of ours received yet: the STATE's seq_nr - 1
        Assert.Equal("hi"u8.ToArray(), data.Payload);
        Assert.NotEqual(0u, data.Header.TimestampMicroseconds);

        // Our first DATA carries the STATE's seq_nr (libtorrent's rule): it is delivered, and acknowledged.
        await SendAsync(socket, UtpPacketType.Data, recvId, seqNr: 100, ackNr: data.Header.SeqNr, payload: "yo"u8.ToArray(), ct: ct);
        var read = new byte[2];
        await stream.ReadExactlyAsync(read, ct);
        Assert.Equal("yo"u8.ToArray(), read);
        Assert.Equal(100, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);

        // Close both ways: our FIN takes the next sequence number and is done when acknowledged; theirs ends our reads.
        stream.CompleteWrites();
        var fin = await ReceiveAsync(UtpPacketType.Fin, ct);
        Assert.Equal((ushort)(data.Header.SeqNr + 1), fin.Header.SeqNr);
        await SendAsync(socket, UtpPacketType.State, recvId, seqNr: 101, ackNr: fin.Header.SeqNr, ct: ct);
        await stream.WritesClosed.WaitAsync(ct);
        await SendAsync(socket, UtpPacketType.Fin, recvId, seqNr: 101, ackNr: fin.Header.SeqNr, ct: ct);
        Assert.Empty(await UtpPair.ReadAllAsync(stream, ct));
        Assert.Equal(101, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);
    }

    [Fact(Timeout = 10000)]
    public async Task AResetAcknowledgingUnsentData_IsIgnored_AValidOneFailsTheStream()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Listener(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        var accept = socket.AcceptAsync(ct);
        await SendAsync(socket, UtpPacketType.Syn, 0x0FFF, seqNr: 40, ackNr: 0, ct: ct);
        var synAck = await ReceiveAsync(UtpPacketType.State, ct);
        await using var stream = await accept;
        var read = stream.ReadAsync(new byte[1], ct).AsTask();

        await SendAsync(socket, UtpPacketType.Reset, 0x1000, seqNr: 0, ackNr: (ushort)(synAck.Header.SeqNr + 500), ct: ct);
        await SendAsync(socket, UtpPacketType.Data, 0x1000, seqNr: 41, ackNr: (ushort)(synAck.Header.SeqNr - 1), payload: [7], ct: ct);
        Assert.Equal(1, await read); // still alive: the blind RESET changed nothing

        await SendAsync(socket, UtpPacketType.Reset, 0x1000, seqNr: 0, ackNr: (ushort)(synAck.Header.SeqNr - 1), ct: ct);
        var e = await Assert.ThrowsAsync<UtpException>(async () => await UtpPair.ReadAllAsync(stream, ct));
        Assert.Equal(UtpError.ConnectionReset, e.Error);
    }

    [Fact(Timeout = 10000)]
    public async Task OutOfWindowPackets_AreDropped_AndTheConnectionGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Listener(new UtpSocketOptions { LoopbackPacketSize = 1400 });
        var accept = socket.AcceptAsync(ct);
        await SendAsync(socket, UtpPacketType.Syn, 0x2000, seqNr: 7, ackNr: 0, ct: ct);
        var synAck = await ReceiveAsync(UtpPacketType.State, ct);
        var ours = (ushort)(synAck.Header.SeqNr - 1);
        await using var stream = await accept;

        await SendAsync(socket, UtpPacketType.Data, 0x2001, seqNr: 20_000, ackNr: ours, payload: [9], ct: ct);             // far ahead
        await SendAsync(socket, UtpPacketType.Data, 0x2001, seqNr: 8, ackNr: (ushort)(ours + 300), payload: [9], ct: ct); // acks unsent data
        await SendAsync(socket, UtpPacketType.Fin, 0x2001, seqNr: 5_007, ackNr: ours, ct: ct);                           // a FIN past the window
        await SendAsync(socket, UtpPacketType.Data, 0x2001, seqNr: 8, ackNr: ours, payload: "ok"u8.ToArray(), ct: ct);

        var read = new byte[2];
        await stream.ReadExactlyAsync(read, ct);
        Assert.Equal("ok"u8.ToArray(), read);
        Assert.Equal(8, (await ReceiveAsync(UtpPacketType.State, ct)).Header.AckNr);
        Assert.Equal(3, socket.Statistics.OutOfWindowPackets);
        stream.Abort();
    }

    [Fact(Timeout = 10000)]
    public async Task APacketForNoConnection_IsAnsweredWithAReset_OnTheSameId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var socket = UtpPair.Client();
        await SendAsync(socket, UtpPacketType.Data, 0x4242, seqNr: 9, ackNr: 3, payload: [1], ct: ct);
        var reset = await ReceiveAsync(UtpPacketType.Reset, ct);
        Assert.Equal(0x4242, reset.Header.ConnectionId);
        Assert.Equal(9, reset.Header.AckNr);
        Assert.Equal(1, socket.Statistics.ResetsSent);
    }

    private async Task SendAsync(UtpSocket to, UtpPacketType type, ushort connectionId, ushort seqNr, ushort ackNr, byte[]? payload = null, CancellationToken ct = default)
    {
        var datagram = new byte[UtpHeader.Size + (payload?.Length ?? 0)];
        new UtpHeader(type, 0, connectionId, (uint)Environment.TickCount64 * 1000, 0, 1 << 20, seqNr, ackNr).Write(datagram);
        payload?.CopyTo(datagram, UtpHeader.Size);
        await _peer.SendToAsync(datagram, SocketFlags.None, to.LocalEndPoint, ct);
    }

    /// <summary>The next packet of <paramref name="type"/> (others, such as keep-alives, are skipped).</summary>
    private async Task<(UtpHeader Header, byte[] SelectiveAck, byte[] Payload)> ReceiveAsync(UtpPacketType type, CancellationToken ct)
    {
        var buffer = new byte[65536];
        while (true)
        {
            var received = await _peer.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
            Assert.True(UtpPacketReader.TryRead(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out var error), $"we sent a malformed packet: {error}");
            if (packet.Type == type)
            {
                return (packet.Header, packet.SelectiveAck.ToArray(), packet.Payload.ToArray());
            }
        }
    }
}
