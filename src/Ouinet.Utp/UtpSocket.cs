using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Net;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>
/// uTP (BEP 29) endpoint on a UDP socket shared with the DHT: it takes every datagram the multiplexer does not hand to
/// the DHT (non-bencoded), routes it by (peer, connection id), and opens or accepts any number of connections, each a
/// <see cref="UtpStream"/>. Shaped like System.Net.Quic: <see cref="ConnectAsync"/> and <see cref="AcceptAsync"/> take
/// a cancellation token, incoming connections wait in a bounded queue, and disposal resets what is still open.
/// </summary>
public sealed partial class UtpSocket : IAsyncDisposable
{
    private const int MaxPooledPackets = 4096;
    private const int ResetsPerSecond = 100;

    private readonly UdpMultiplexer _multiplexer;
    private readonly bool _ownsMultiplexer;
    private readonly ConcurrentDictionary<ConnectionKey, UtpConnection> _connections = new();
    private readonly Channel<UtpConnection> _accepts;
    private readonly ITimer _timer;
    private readonly List<UtpConnection> _deferredAcks = [];
    private readonly ConcurrentQueue<OutgoingPacket> _packetPool = new();
    private int _pooledPackets;
    private readonly long _ticksPerMicrosecond;
    private UtpConnection? _lastConnection;
    private int _ticking;
    private int _disposed;
    private long _malformed;
    private long _unknown;
    private long _outOfWindow;
    private long _resetsSent;
    private long _refused;
    private long _resetBudget = ResetsPerSecond;
    private long _resetBudgetAt;
    private int _lingering;
    private readonly Lock _resetLock = new();

    /// <summary>Serves uTP on <paramref name="multiplexer"/>; register before the multiplexer is started.</summary>
    public UtpSocket(UdpMultiplexer multiplexer, UtpSocketOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(multiplexer, ownsMultiplexer: false, options, timeProvider, loggerFactory)
    {
    }

    private UtpSocket(UdpMultiplexer multiplexer, bool ownsMultiplexer, UtpSocketOptions? options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Options = options ?? new UtpSocketOptions();
        Options.ThrowIfInvalid();
        Time = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger<UtpSocket>() ?? NullLogger.Instance;
        _multiplexer = multiplexer;
        _ownsMultiplexer = ownsMultiplexer;
        _ticksPerMicrosecond = Math.Max(1, Time.TimestampFrequency / 1_000_000);
        _accepts = Channel.CreateBounded<UtpConnection>(new BoundedChannelOptions(Math.Max(1, Options.AcceptBacklog))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        multiplexer.Register(static d => !UdpMultiplexer.IsBencodedDictionary(d), OnDatagram, OnDrained);
        _timer = Time.CreateTimer(static s => ((UtpSocket)s!).OnTick(), this, Options.TickInterval, Options.TickInterval);
    }

    /// <summary>Binds a UDP socket of its own (for tools and tests; a node shares the DHT's multiplexer instead).</summary>
    public static UtpSocket Bind(IPEndPoint localEndPoint, UtpSocketOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) =>
        Create(UdpDatagramSocket.Bind(localEndPoint), options, timeProvider, loggerFactory);

    /// <summary>Runs uTP alone on <paramref name="datagramSocket"/> (a real socket or a test network's), owning it.</summary>
    public static UtpSocket Create(IDatagramSocket datagramSocket, UtpSocketOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        var multiplexer = new UdpMultiplexer(datagramSocket);
        var socket = new UtpSocket(multiplexer, ownsMultiplexer: true, options, timeProvider, loggerFactory);
        multiplexer.Start();
        return socket;
    }

    public IPEndPoint LocalEndPoint => _multiplexer.LocalEndPoint;

    public UtpSocketOptions Options { get; }

    /// <summary>Connections in the table, including ones closing or waiting to be accepted.</summary>
    public int ConnectionCount => _connections.Count;

    public UtpSocketStatistics Statistics => new(
        Interlocked.Read(ref _malformed), Interlocked.Read(ref _unknown), Interlocked.Read(ref _outOfWindow),
        Interlocked.Read(ref _resetsSent), Interlocked.Read(ref _refused), _connections.Count);

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>Opens a connection to <paramref name="remote"/>; fails after <see cref="UtpSocketOptions.ConnectTimeout"/>.</summary>
    public async ValueTask<UtpStream> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (ActiveConnections >= Options.MaxConnections)
        {
            throw new InvalidOperationException($"This uTP socket already has {Options.MaxConnections} connections.");
        }
        var connection = BeginConnect(remote);
        try
        {
            await connection.Connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            connection.Abort();
            throw;
        }
        return new UtpStream(connection, this);
    }

    /// <summary>Adds an initiating connection to the table and sends its SYN.</summary>
    internal UtpConnection BeginConnect(IPEndPoint remote, ushort? recvIdForTests = null)
    {
        var now = NowMicros();
        UtpConnection connection;
        while (true)
        {
            // We receive on a random id and send on id + 1; the SYN carries the receive id (BEP 29).
            var recvId = recvIdForTests ?? (ushort)Random.Shared.Next(0, 0x10000);
            connection = new UtpConnection(this, remote, recvId, (ushort)(recvId + 1), initiator: true, now);
            if (_connections.TryAdd(new ConnectionKey(remote, recvId), connection))
            {
                break;
            }
        }
        connection.StartConnect(now);
        return connection;
    }

    /// <summary>Waits for the next incoming connection (needs <see cref="UtpSocketOptions.AcceptBacklog"/> &gt; 0).</summary>
    public async ValueTask<UtpStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Options.AcceptBacklog == 0)
        {
            throw new InvalidOperationException("This uTP socket does not accept connections (AcceptBacklog is 0).");
        }
        while (true)
        {
            UtpConnection connection;
            try
            {
                connection = await _accepts.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(UtpSocket));
            }
            if (!connection.IsRemoved)
            {
                return new UtpStream(connection, this);
            }
        }
    }

    /// <summary>Resets every open connection, stops the timer, and closes the UDP socket if this owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _timer.DisposeAsync().ConfigureAwait(false);
        _accepts.Writer.TryComplete();
        foreach (var connection in _connections.Values)
        {
            connection.Abort(UtpError.SocketClosed);
        }
        while (_accepts.Reader.TryRead(out var waiting))
        {
            waiting.Abort(UtpError.SocketClosed);
        }
        if (_ownsMultiplexer)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal long NowMicros() => Time.GetTimestamp() / _ticksPerMicrosecond;

    /// <summary>Handles one datagram on the multiplexer's receive loop; must never throw for any input.</summary>
    internal void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (!UtpPacketReader.TryRead(datagram, out var packet, out var error))
        {
            Interlocked.Increment(ref _malformed);
            Log.MalformedPacket(Logger, new LoggedPeer(from, Options.LogEndpoints), error);
            return;
        }
        var now = NowMicros();
        var header = packet.Header;
        if (header.Type == UtpPacketType.Syn)
        {
            OnSyn(header, packet.DatagramLimit, from, now);
            return;
        }
        var connection = Find(from, header.ConnectionId);
        if (connection is null && header.Type == UtpPacketType.Reset)
        {
            connection = FindBySendId(from, header.ConnectionId);
        }
        if (connection is null)
        {
            Interlocked.Increment(ref _unknown);
            if (header.Type != UtpPacketType.Reset)
            {
                SendReset(from, header.ConnectionId, header.SeqNr, now);
            }
            return;
        }
        connection.OnPacket(packet, now);
    }

    private void OnSyn(UtpHeader syn, uint datagramLimit, IPEndPoint from, long now)
    {
        var recvId = (ushort)(syn.ConnectionId + 1);
        if (Find(from, recvId) is { } existing)
        {
            existing.OnDuplicateSyn(syn.SeqNr, now);
            return;
        }
        string? refusal = Options.AcceptBacklog == 0 ? "not accepting"
            : _disposed != 0 ? "closing"
            : ActiveConnections >= Options.MaxConnections ? "too many connections"
            : null;
        UtpConnection? connection = null;
        if (refusal is null)
        {
            connection = new UtpConnection(this, from, recvId, syn.ConnectionId, initiator: false, now);
            if (!_connections.TryAdd(new ConnectionKey(from, recvId), connection))
            {
                return;
            }
            if (!_accepts.Writer.TryWrite(connection))
            {
                _connections.TryRemove(new ConnectionKey(from, recvId), out _);
                refusal = "accept queue full";
            }
        }
        if (refusal is not null)
        {
            Interlocked.Increment(ref _refused);
            Log.Refused(Logger, new LoggedPeer(from, Options.LogEndpoints), refusal);
            SendReset(from, syn.ConnectionId, syn.SeqNr, now);
            return;
        }
        connection!.Accept(syn.SeqNr, syn.TimestampMicroseconds, datagramLimit, now);
        Log.Accepted(Logger, recvId, new LoggedPeer(from, Options.LogEndpoints));
    }

    private UtpConnection? Find(IPEndPoint from, ushort recvId)
    {
        // Most packets belong to the same connection as the one before (libtorrent keeps the same shortcut).
        if (_lastConnection is { IsRemoved: false } last && last.RecvId == recvId && last.Remote.Port == from.Port && last.Remote.Address.Equals(from.Address))
        {
            return last;
        }
        if (_connections.TryGetValue(new ConnectionKey(from, recvId), out var connection))
        {
            _lastConnection = connection;
            return connection;
        }
        return null;
    }

    /// <summary>libutp resets with the id it received (our send id): try both neighbours of it (as libutp does).</summary>
    private UtpConnection? FindBySendId(IPEndPoint from, ushort sendId)
    {
        if (_connections.TryGetValue(new ConnectionKey(from, (ushort)(sendId - 1)), out var a) && a.SendId == sendId)
        {
            return a;
        }
        return _connections.TryGetValue(new ConnectionKey(from, (ushort)(sendId + 1)), out var b) && b.SendId == sendId ? b : null;
    }

    /// <summary>Answers a packet for no known connection with ST_RESET (its own id, as libutp does); rate limited.</summary>
    private void SendReset(IPEndPoint to, ushort connectionId, ushort ackNr, long now)
    {
        lock (_resetLock)
        {
            if (now - _resetBudgetAt >= 1_000_000)
            {
                _resetBudgetAt = now;
                _resetBudget = ResetsPerSecond;
            }
            if (_resetBudget <= 0)
            {
                return;
            }
            _resetBudget--;
        }
        Interlocked.Increment(ref _resetsSent);
        var buffer = ArrayPool<byte>.Shared.Rent(UtpHeader.Size);
        new UtpHeader(UtpPacketType.Reset, UtpExtension.None, connectionId, (uint)now, 0, 0, (ushort)Random.Shared.Next(0, 0x10000), ackNr).Write(buffer);
        SendControl(buffer, UtpHeader.Size, to);
    }

    internal void DeferAck(UtpConnection connection) => _deferredAcks.Add(connection);

    private void OnDrained()
    {
        if (_deferredAcks.Count == 0)
        {
            return;
        }
        foreach (var connection in _deferredAcks)
        {
            connection.FlushDeferredAck();
        }
        _deferredAcks.Clear();
    }

    /// <summary>Timer pass over every connection. Skipped if the previous one is still running.</summary>
    internal void OnTick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }
        try
        {
            var now = NowMicros();
            foreach (var connection in _connections.Values)
            {
                connection.OnTick(now);
            }
        }
#pragma warning disable CA1031 // The timer must keep running: a failure is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.TickFailed(Logger, e);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    internal void Remove(UtpConnection connection) =>
        _connections.TryRemove(new KeyValuePair<ConnectionKey, UtpConnection>(new ConnectionKey(connection.Remote, connection.RecvId), connection));

    /// <summary>Connections that count against <see cref="UtpSocketOptions.MaxConnections"/>: not the ones lingering after a clean close.</summary>
    private int ActiveConnections => _connections.Count - Volatile.Read(ref _lingering);

    internal void OnLingering() => Interlocked.Increment(ref _lingering);

    internal void OnLingerEnded() => Interlocked.Decrement(ref _lingering);

    internal void CountOutOfWindow() => Interlocked.Increment(ref _outOfWindow);

    private readonly record struct ConnectionKey(IPEndPoint EndPoint, ushort Id);
}
