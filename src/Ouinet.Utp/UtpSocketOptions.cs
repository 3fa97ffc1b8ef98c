using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>Settings of a <see cref="UtpSocket"/> and its connections. Checked when the socket is made; every problem is reported.</summary>
public sealed record UtpSocketOptions
{
    /// <summary>Incoming connections waiting for <see cref="UtpSocket.AcceptAsync"/>; 0 refuses every incoming SYN with a RESET.</summary>
    public int AcceptBacklog { get; init; }

    /// <summary>Connections (both directions) the socket keeps at once; a SYN beyond it is refused.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Largest UDP payload sent, header included. 1400 stays under common path MTUs with room for tunnels.</summary>
    public int MaxPacketSize { get; init; } = 1400;

    /// <summary>
    /// Packet size towards a loopback peer that announced it takes large datagrams (our extension; libtorrent does
    /// not). The loopback interface's MTU is 65536, as TCP over loopback uses; set it to <see cref="MaxPacketSize"/>
    /// to keep every packet at that size.
    /// </summary>
    public int LoopbackPacketSize { get; init; } = 64_000;

    /// <summary>Bytes written but not yet acknowledged, per connection; a writer waits when it is full.</summary>
    public int SendBufferSize { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes received but not yet read (in order or not), per connection: the advertised window.</summary>
    public int ReceiveBufferSize { get; init; } = 2 * 1024 * 1024;

    /// <summary>LEDBAT target queuing delay (BEP 29 and libtorrent: 100 ms).</summary>
    public TimeSpan TargetDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long <see cref="UtpSocket.ConnectAsync"/> waits for the SYN to be answered.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>A connection that hears nothing from its peer for this long fails with <see cref="UtpError.TimedOut"/>.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>An otherwise silent connection sends an ACK this often, so middleboxes keep its mapping.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(29);

    /// <summary>Lower bound of the retransmission timeout (BEP 29: 500 ms).</summary>
    public TimeSpan MinRetransmissionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consecutive retransmission timeouts after which the peer is given up as gone.</summary>
    public int MaxRetransmissions { get; init; } = 6;

    /// <summary>How long disposing a stream waits for its FIN to be acknowledged before it resets the connection.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Send small writes at once instead of coalescing them while earlier data is unacknowledged (Nagle).</summary>
    public bool NoDelay { get; init; }

    /// <summary>Makes each connection's congestion controller; LEDBAT when null.</summary>
    public Func<CongestionControllerContext, ICongestionController>? CongestionControllerFactory { get; init; }

    /// <summary>Peer addresses appear in logs only when this is set.</summary>
    public bool LogEndpoints { get; init; }

    /// <summary>How often timers are checked. Internal: tests shorten it.</summary>
    internal TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Tests: start every connection's sequence numbers here instead of at random (to cross the wrap).</summary>
    internal ushort? FixedInitialSeqNr { get; init; }

    /// <summary>Largest UDP payload over IPv4, and what we announce we can receive.</summary>
    internal const int MaxDatagramSize = 65_507;

    internal bool AnnouncesLargeDatagrams => LoopbackPacketSize > MaxPacketSize;

    /// <summary>Every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }
        Check(AcceptBacklog is >= 0 and <= 65536, "AcceptBacklog must be between 0 and 65536.");
        Check(MaxConnections is >= 1 and <= 65536, "MaxConnections must be between 1 and 65536.");
        Check(MaxPacketSize is >= 150 and <= 65507, "MaxPacketSize must be between 150 and 65507 bytes.");
        Check(LoopbackPacketSize >= MaxPacketSize && LoopbackPacketSize <= MaxDatagramSize, $"LoopbackPacketSize must be between MaxPacketSize and {MaxDatagramSize}.");
        Check(SendBufferSize >= 16 * 1024 && SendBufferSize <= 256 * 1024 * 1024, "SendBufferSize must be between 16 KiB and 256 MiB.");
        Check(ReceiveBufferSize >= 16 * 1024 && ReceiveBufferSize <= 256 * 1024 * 1024, "ReceiveBufferSize must be between 16 KiB and 256 MiB.");
        Check(TargetDelay > TimeSpan.Zero && TargetDelay <= TimeSpan.FromSeconds(10), "TargetDelay must be positive and at most 10 s.");
        Check(ConnectTimeout > TimeSpan.Zero, "ConnectTimeout must be positive.");
        Check(IdleTimeout > TimeSpan.Zero, "IdleTimeout must be positive.");
        Check(KeepAliveInterval > TimeSpan.Zero, "KeepAliveInterval must be positive.");
        Check(MinRetransmissionTimeout >= TimeSpan.FromMilliseconds(1), "MinRetransmissionTimeout must be at least 1 ms.");
        Check(MaxRetransmissions is >= 1 and <= 30, "MaxRetransmissions must be between 1 and 30.");
        Check(CloseTimeout >= TimeSpan.Zero, "CloseTimeout must not be negative.");
        Check(TickInterval > TimeSpan.Zero, "TickInterval must be positive.");
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid uTP options: " + string.Join(" ", errors));
        }
    }
}
