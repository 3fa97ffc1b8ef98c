using System.Buffers.Binary;
using System.Net;
using Ouinet.Net;
using Ouinet.Utp;
using Ouinet.Utp.Packets;

namespace Ouinet.Fuzz;

/// <summary>
/// uTP harnesses. <c>utp-packet</c>: the header and extension chain parser. <c>utp-connection</c>: a sequence of
/// datagrams from one peer fed into a live socket, as its receive loop would, with the clock stepped between them:
/// nothing may throw out of the socket, whatever the peer sends.
/// Input of <c>utp-connection</c>: one mode byte (bit 0: we connect, else we accept), then records of
/// [clock step in 10 ms units (1 byte)][length (2 bytes, big-endian)][datagram].
/// </summary>
internal static class UtpFuzzing
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 6881);
    private static readonly byte[] Payload = new byte[50_000];

    public static void Packet(byte[] input)
    {
        if (!UtpPacketReader.TryRead(input, out var packet, out var error))
        {
            if (error == UtpPacketError.None)
            {
                throw new InvalidOperationException("A refused packet must say why.");
            }
            return;
        }
        var written = new byte[UtpHeader.Size];
        packet.Header.Write(written);
        if (!written.AsSpan().SequenceEqual(input.AsSpan(0, UtpHeader.Size)))
        {
            throw new InvalidOperationException("The header does not write back to the bytes it was read from.");
        }
        if (packet.Payload.Length + packet.SelectiveAck.Length + UtpHeader.Size > input.Length)
        {
            throw new InvalidOperationException("Parsed parts are longer than the datagram.");
        }
    }

    public static void Connection(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        var initiator = (input[0] & 1) == 1;
        var clock = new SteppedClock();
        var options = new UtpSocketOptions
        {
            AcceptBacklog = 1,
            SendBufferSize = 64 * 1024,
            ReceiveBufferSize = 64 * 1024,
            FixedInitialSeqNr = 1000,
            TickInterval = TimeSpan.FromMilliseconds(10),
        };
        var multiplexer = new UdpMultiplexer(new NullDatagramSocket());
        var socket = new UtpSocket(multiplexer, options, clock);
        try
        {
            var connection = initiator ? socket.BeginConnect(Peer, recvIdForTests: 4000) : null;
            var wrote = false;
            for (var at = 1; at + 3 <= input.Length;)
            {
                clock.Step(TimeSpan.FromMilliseconds(10 * input[at]));
                var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(at + 1)), input.Length - at - 3);
                var datagram = input.AsSpan(at + 3, length).ToArray();
                at += 3 + length;
                if (initiator && datagram.Length >= 4)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), 4000); // our receive id, so it reaches the connection
                }
                socket.OnDatagram(datagram, Peer);
                socket.OnTick();
                if (connection is { Connected.IsCompletedSuccessfully: true } && !wrote)
                {
                    wrote = true;
                    _ = connection.WriteAsync(Payload, CancellationToken.None).AsTask().ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                }
            }
        }
        finally
        {
            socket.DisposeAsync().AsTask().GetAwaiter().GetResult();
            multiplexer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>A clock the harness moves; its timers never fire on their own (the harness ticks the socket).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Step(TimeSpan by) => _ticks += by.Ticks;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>Swallows what the socket sends; never receives (the harness delivers datagrams itself).</summary>
    private sealed class NullDatagramSocket : IDatagramSocket
    {
        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 9);

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return default;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
