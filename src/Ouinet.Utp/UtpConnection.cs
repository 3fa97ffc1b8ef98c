using System.IO.Pipelines;
using System.Net;
using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>
/// One uTP connection: the BEP 29 state machine. All state is guarded by one lock, taken by the socket's receive loop
/// (incoming packets, drained ACKs), its timer, and the application (writes, reads freeing window, close). Packets are
/// sent while the lock is held: UDP sends do not block.
/// This file: identity, lifetime and failure. Receive.cs: incoming packets and reads. Control.cs: STATE, SYN and
/// RESET. Send.cs: writes, the window, transmission. Acks.cs: ACK and selective-ACK processing, RTT and delay
/// samples, loss detection. Timers.cs: retransmission, probes, keep-alive, timeouts.
/// </summary>
internal sealed partial class UtpConnection
{
    /// <summary>ACK at least this often during a burst even if the socket never drains.</summary>
    private const int AckEveryPackets = 32;

    /// <summary>Least time a cleanly closed connection stays to answer retransmitted FINs.</summary>
    private const long LingerMicros = 5_000_000;

    private readonly UtpSocket _socket;
    private readonly UtpSocketOptions _options;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writesClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closeReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe _pipe;
    private ICongestionController? _congestion;
    private int _packetSize;
    private int _maxPayload;
    private bool _peerAnnouncedLimit;
    private readonly RttEstimator _rtt;
    private readonly DelayHistory _ourDelay = new();
    private readonly DelayHistory _theirDelay = new();
    private readonly uint[] _recentDelays = [uint.MaxValue, uint.MaxValue, uint.MaxValue];
    private int _recentDelayIndex;

    private ConnectionState _state;
    private UtpError? _error;
    private bool _detached;
    private long _lingerUntil;
    private long _detachedAt;
    private long _lastReceived;
    private long _lastSent;
    private long _connectDeadline;
    private long _synResendAt;
    private ushort _synSeqNr;
    private int _synTransmissions;

    internal UtpConnection(UtpSocket socket, IPEndPoint remote, ushort recvId, ushort sendId, bool initiator, long now)
    {
        _socket = socket;
        _options = socket.Options;
        Remote = remote;
        RecvId = recvId;
        SendId = sendId;
        IsInitiator = initiator;
        _lastReceived = now;
        _lastSent = now;
        _pipe = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0, // the receive window bounds what is buffered, not the pipe
            resumeWriterThreshold: 0,
            minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false));
        _packetSize = _options.MaxPacketSize;
        _maxPayload = _packetSize - UtpHeader.Size;
        _rtt = new RttEstimator((long)_options.MinRetransmissionTimeout.TotalMicroseconds, maxTimeoutMicros: 60_000_000);
        _reorder = new ReorderBuffer(Math.Clamp(_options.ReceiveBufferSize / 512, 64, 8192));
        var ring = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(_options.SendBufferSize / 256, 64, 16384));
        _out = new OutgoingPacket?[ring];
        _outMask = ring - 1;
        _peerWindow = _maxPayload * 2;
        _ = _writesClosed.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = _readsClosed.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private enum ConnectionState
    {
        /// <summary>In the socket's table, not started yet: timers leave it alone.</summary>
        New,
        SynSent,
        Connected,
        Closed,
    }

    public IPEndPoint Remote { get; }

    public ushort RecvId { get; }

    public ushort SendId { get; }

    public bool IsInitiator { get; }

    /// <summary>Taken out of the socket's table: nothing more will reach it.</summary>
    public bool IsRemoved { get; private set; }

    public Task Connected => _connected.Task;

    public Task WritesClosed => _writesClosed.Task;

    public Task ReadsClosed => _readsClosed.Task;

    internal LoggedPeer PeerForLog => new(Remote, _options.LogEndpoints);

    /// <summary>Initiator: sends the SYN (carrying the id we receive on) and starts the connect timer.</summary>
    public void StartConnect(long now)
    {
        lock (_lock)
        {
            _state = ConnectionState.SynSent;
            _synSeqNr = _options.FixedInitialSeqNr ?? (ushort)Random.Shared.Next(1, 0x10000);
            _seqNr = SeqNr.Add(_synSeqNr, 1);
            _nextSend = _seqNr;
            _lastAcked = _synSeqNr;
            _lossSeqNr = _synSeqNr;
            _connectDeadline = now + (long)_options.ConnectTimeout.TotalMicroseconds;
            SendSynLocked(now);
        }
    }

    /// <summary>Acceptor: takes the SYN's sequence number and answers with ST_STATE; the connection is open at once.</summary>
    public void Accept(ushort synSeqNr, uint synTimestamp, uint datagramLimit, long now)
    {
        lock (_lock)
        {
            _state = ConnectionState.Connected;
            EstablishLocked(datagramLimit);
            _synSeqNr = synSeqNr;
            _ackNr = synSeqNr;
            _seqNr = _options.FixedInitialSeqNr ?? (ushort)Random.Shared.Next(0, 0x10000);
            _nextSend = _seqNr;
            _lastAcked = SeqNr.Add(_seqNr, -1);
            _lossSeqNr = _lastAcked;
            _replyMicro = (uint)now - synTimestamp;
            _connected.TrySetResult();
            SendStateLocked(now, answeringSyn: true);
        }
    }

    /// <summary>A retransmitted SYN for this accepted connection: our ST_STATE was lost, send it again.</summary>
    public void OnDuplicateSyn(ushort synSeqNr, long now)
    {
        lock (_lock)
        {
            if (!IsInitiator && _state == ConnectionState.Connected && synSeqNr == _synSeqNr)
            {
                SendStateLocked(now, answeringSyn: true);
            }
        }
    }

    /// <summary>
    /// Picks the packet size (large only towards a loopback peer that announced large datagrams) and makes the
    /// congestion controller, which counts in that packet size.
    /// </summary>
    private void EstablishLocked(uint peerDatagramLimit)
    {
        _peerAnnouncedLimit = peerDatagramLimit > 0;
        if (_options.AnnouncesLargeDatagrams && peerDatagramLimit > (uint)_options.MaxPacketSize && IPAddress.IsLoopback(Remote.Address))
        {
            _packetSize = (int)Math.Min(peerDatagramLimit, (uint)_options.LoopbackPacketSize);
            _maxPayload = _packetSize - UtpHeader.Size;
        }
        var context = new CongestionControllerContext(_maxPayload, _options.SendBufferSize, _options.TargetDelay);
        _congestion = _options.CongestionControllerFactory?.Invoke(context) ?? new LedbatController(context);
    }

    /// <summary>Sends ST_RESET and fails every pending and future operation with <see cref="UtpError.Aborted"/>.</summary>
    public void Abort(UtpError error = UtpError.Aborted)
    {
        lock (_lock)
        {
            FailLocked(error, sendReset: _state != ConnectionState.Closed);
        }
    }

    /// <summary>
    /// The application is done (its stream was disposed): no more reads; the FIN goes after what was written, and the
    /// connection stays in the table (ACKing and discarding what still arrives) until the peer finishes too.
    /// </summary>
    public async ValueTask CloseAsync()
    {
        lock (_lock)
        {
            _detached = true;
            _detachedAt = _socket.NowMicros();
            StopDeliveringLocked();
            if (_state == ConnectionState.Closed)
            {
                return;
            }
            if (_state == ConnectionState.SynSent)
            {
                FailLocked(UtpError.Aborted, sendReset: false);
                return;
            }
            QueueFinLocked();
            PumpLocked(_socket.NowMicros());
            CheckClosedLocked(_socket.NowMicros());
        }
        // Wait (bounded) until the peer has acknowledged every byte, and our FIN too unless the peer has finished
        // already (then it may be gone: libtorrent exits right after its FIN). The FIN exchange goes on without us.
        try
        {
            await _closeReady.Task.WaitAsync(_options.CloseTimeout, _socket.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
        }
        catch (UtpException)
        {
            // Failed meanwhile: already torn down.
        }
    }

    /// <summary>Fails the connection. Releases its buffers and takes it out of the socket's table.</summary>
    private void FailLocked(UtpError error, bool sendReset)
    {
        if (_state == ConnectionState.Closed && (_error is not null || IsRemoved))
        {
            return;
        }
        if (sendReset && _state != ConnectionState.SynSent)
        {
            SendResetLocked(_socket.NowMicros());
        }
        var connectError = error == UtpError.ConnectionReset && _state == ConnectionState.SynSent ? UtpError.ConnectionRefused : error;
        _state = ConnectionState.Closed;
        _error = error;
        // Out of the table before anyone waiting hears of the failure, so they never see it still counted.
        RemoveFromSocket();
        ReleaseBuffersLocked();
        var exception = new UtpException(error);
        if (!_pipeWriterCompleted)
        {
            _pipeWriterCompleted = true;
            _pipe.Writer.Complete(exception);
        }
        _connected.TrySetException(new UtpException(connectError));
        _writesClosed.TrySetException(exception);
        _readsClosed.TrySetException(exception);
        _closeReady.TrySetResult();
        WakeWriterLocked();
        if (error != UtpError.SocketClosed)
        {
            Log.Failed(_socket.Logger, RecvId, PeerForLog, error);
        }
    }

    /// <summary>Both directions finished cleanly: keep answering retransmitted FINs for a while, then go.</summary>
    private void CheckClosedLocked(long now)
    {
        if (_finAcked || (_finQueued && _eof && _queuedBytes == 0))
        {
            _closeReady.TrySetResult();
        }
        if (_state == ConnectionState.Connected && _finAcked && _eof)
        {
            _state = ConnectionState.Closed;
            // Like TIME_WAIT: our last ACK of their FIN may be lost, and their retransmitted FIN must still get an ACK,
            // not a RESET. Their timeout has backed off as ours has.
            _lingerUntil = now + Math.Max(4 * _rtt.TimeoutMicros, LingerMicros);
            _socket.OnLingering();
            ReleaseBuffersLocked();
            Log.Closed(_socket.Logger, RecvId, PeerForLog);
        }
    }

    private void RemoveFromSocket()
    {
        if (!IsRemoved)
        {
            IsRemoved = true;
            _socket.Remove(this);
        }
    }

    /// <summary>Stops writing into the pipe: the reader is gone. What arrives is still ACKed, then dropped.</summary>
    private void StopDeliveringLocked()
    {
        if (!_pipeWriterCompleted)
        {
            _pipeWriterCompleted = true;
            _pipe.Writer.Complete();
        }
    }

    private UtpException ErrorLocked() => new(_error ?? UtpError.Aborted);

    public UtpConnectionStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new UtpConnectionStatistics(
                _bytesSent, _bytesReceived, _packetsSent, _packetsReceived, _retransmissions, _fastRetransmissions, _timeoutCount,
                TimeSpan.FromMicroseconds(_rtt.SmoothedMicros), TimeSpan.FromMicroseconds(_rtt.HasSample ? _rtt.MinMicros : 0),
                _congestion?.Window ?? 0, _peerWindow, _packetSize);
        }
    }
}
