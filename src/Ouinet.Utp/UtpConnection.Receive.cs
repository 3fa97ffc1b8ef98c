using System.Buffers;
using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>Incoming packets: validation, ordered delivery, FIN, and the ACKs we owe.</summary>
internal sealed partial class UtpConnection
{
    /// <summary>Largest selective-ACK bitmask we send (1024 packets past the gap).</summary>
    private const int MaxSelectiveAckBytes = 128;

    /// <summary>Delivered bytes after which the reader is woken even in the middle of a burst.</summary>
    private const int FlushEveryBytes = 64 * 1024;

    private readonly ReorderBuffer _reorder;
    private ushort _ackNr;
    private uint _replyMicro;
    private bool _ackPending;
    private bool _ackQueued;
    private int _packetsSinceAck;
    private long _delivered;
    private long _consumed;
    private bool _pipeWriterCompleted;
    private int _unflushed;
    private bool _finReceived;
    private ushort _finSeqNr;
    private bool _eof;
    private uint _lastAdvertisedWindow;
    private long _bytesReceived;
    private long _packetsReceived;

    /// <summary>A packet for this connection, from the socket's receive loop (the span is only valid during the call).</summary>
    public void OnPacket(in UtpPacket packet, long now)
    {
        lock (_lock)
        {
            if (IsRemoved)
            {
                return;
            }
            var header = packet.Header;
            _packetsReceived++;
            if (_state == ConnectionState.Closed)
            {
                // Cleanly closed and lingering: the peer may not have seen our last ACK of its FIN.
                if (header.Type is UtpPacketType.Fin or UtpPacketType.Data)
                {
                    SendStateLocked(now);
                }
                return;
            }
            if (header.Type == UtpPacketType.Reset)
            {
                // Like libtorrent: a RESET must not acknowledge something we never sent (a blind guess).
                if (!SeqNr.Less(SeqNr.Add(_nextSend, -1), header.AckNr))
                {
                    FailLocked(UtpError.ConnectionReset, sendReset: false);
                }
                return;
            }
            if (header.Type == UtpPacketType.Syn || _state == ConnectionState.New)
            {
                return;
            }
            if (_state == ConnectionState.SynSent && !TryCompleteConnectLocked(packet, now))
            {
                return;
            }
            if (header.Type is UtpPacketType.Data or UtpPacketType.Fin)
            {
                var ahead = SeqNr.Distance(_ackNr, header.SeqNr);
                if (ahead > _reorder.Capacity && ahead < 0x8000)
                {
                    _socket.CountOutOfWindow(); // too far ahead to keep: an attack or a badly broken path (libtorrent drops it too)
                    return;
                }
            }
            if (SeqNr.Less(SeqNr.Add(_nextSend, -1), header.AckNr))
            {
                _socket.CountOutOfWindow(); // acknowledges what we never sent
                return;
            }
            _lastReceived = now;
            _replyMicro = (uint)now - header.TimestampMicroseconds;
            TrackTheirDelayLocked(now);
            OnAckLocked(packet, now);
            if (_state != ConnectionState.Connected)
            {
                return;
            }
            if (header.Type == UtpPacketType.Data)
            {
                OnDataLocked(header.SeqNr, packet.Payload, now);
            }
            else if (header.Type == UtpPacketType.Fin)
            {
                OnFinLocked(header.SeqNr, now);
            }
            PumpLocked(now);
            CheckClosedLocked(now);
        }
    }

    /// <summary>
    /// Initiator: the ST_STATE answering our SYN acknowledges its sequence number, and its own seq_nr is the one the
    /// peer's first DATA will carry. Only the STATE says where the peer's data starts: DATA that overtook it is
    /// dropped (and resent), never taken as the first packet.
    /// </summary>
    private bool TryCompleteConnectLocked(in UtpPacket packet, long now)
    {
        var header = packet.Header;
        if (header.Type != UtpPacketType.State || header.AckNr != _synSeqNr)
        {
            return false;
        }
        _state = ConnectionState.Connected;
        EstablishLocked(packet.DatagramLimit);
        _ackNr = SeqNr.Add(header.SeqNr, -1); // libtorrent's first DATA carries the seq_nr of its STATE
        if (_synTransmissions == 1)
        {
            _rtt.AddSample(now - _synSentAt);
        }
        _connected.TrySetResult();
        return true;
    }

    /// <summary>
    /// Clock drift (as libtorrent compensates it): if the base of our view of their packets goes down, their view of
    /// ours is going up by as much, so our base is raised with it (at most 10 ms at a time).
    /// </summary>
    private void TrackTheirDelayLocked(long now)
    {
        var wasInitialized = _theirDelay.IsInitialized;
        var previousBase = _theirDelay.Base;
        _theirDelay.AddSample(_replyMicro, now);
        var change = (int)(_theirDelay.Base - previousBase);
        if (wasInitialized && _ourDelay.IsInitialized && change is < 0 and > -10_000)
        {
            _ourDelay.AdjustBase((uint)-change);
        }
    }

    private void OnDataLocked(ushort seqNr, ReadOnlySpan<byte> payload, long now)
    {
        var ahead = SeqNr.Distance(_ackNr, seqNr);
        if (ahead == 0 || ahead >= 0x8000)
        {
            ScheduleAckLocked(now, immediate: true); // a resend of something we have: our ACK was lost
            return;
        }
        if ((_finReceived && !SeqNr.Less(seqNr, _finSeqNr)) || _reorder.Contains(seqNr))
        {
            ScheduleAckLocked(now, immediate: false);
            return;
        }
        if (BufferedBytesLocked() >= _options.ReceiveBufferSize)
        {
            _socket.CountOutOfWindow(); // the window is closed: the peer sent past it; it will resend
            ScheduleAckLocked(now, immediate: false);
            return;
        }
        if (ahead == 1)
        {
            DeliverLocked(payload);
            _ackNr = seqNr;
            while (_reorder.Count > 0 && _reorder.TryTake(SeqNr.Add(_ackNr, 1), out var buffer, out var length))
            {
                DeliverLocked(buffer.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(buffer);
                _ackNr = SeqNr.Add(_ackNr, 1);
            }
            if (_unflushed >= FlushEveryBytes)
            {
                FlushPipeLocked();
            }
            if (_finReceived && SeqNr.Add(_ackNr, 1) == _finSeqNr)
            {
                _ackNr = _finSeqNr;
                ReachEofLocked();
            }
            ScheduleAckLocked(now, immediate: false);
        }
        else
        {
            _reorder.TryAdd(seqNr, payload);
            ScheduleAckLocked(now, immediate: false);
        }
    }

    private void OnFinLocked(ushort seqNr, long now)
    {
        if (!_finReceived)
        {
            var ahead = SeqNr.Distance(_ackNr, seqNr);
            if (ahead == 0 || ahead >= 0x8000)
            {
                ScheduleAckLocked(now, immediate: true);
                return;
            }
            if (_reorder.Count > 0 && !SeqNr.Less(_reorder.Highest, seqNr))
            {
                return; // data past the FIN is held: a confused peer; wait for a FIN that makes sense
            }
            _finReceived = true;
            _finSeqNr = seqNr;
            if (ahead == 1)
            {
                _ackNr = seqNr;
                ReachEofLocked();
            }
        }
        ScheduleAckLocked(now, immediate: true);
    }

    private void ReachEofLocked()
    {
        FlushPipeLocked();
        _eof = true;
        if (!_pipeWriterCompleted)
        {
            _pipeWriterCompleted = true;
            _pipe.Writer.Complete();
        }
        _readsClosed.TrySetResult();
    }

    private void DeliverLocked(ReadOnlySpan<byte> data)
    {
        _bytesReceived += data.Length;
        if (_pipeWriterCompleted)
        {
            return; // nobody reads any more: ACKed and dropped, as if read
        }
        _pipe.Writer.Write(data);
        _delivered += data.Length;
        _unflushed += data.Length;
    }

    /// <summary>
    /// Makes delivered bytes readable and wakes a waiting reader. Done once per burst (when the socket drains, with the
    /// deferred ACK) or every <see cref="FlushEveryBytes"/>, not per packet: waking the reader for every 1400 bytes cost
    /// a context switch per packet.
    /// </summary>
    private void FlushPipeLocked()
    {
        _unflushed = 0;
        if (_pipeWriterCompleted)
        {
            return;
        }
        // The pipe never pauses (the receive window limits it), so this completes at once; it wakes the reader.
        var flush = _pipe.Writer.FlushAsync(CancellationToken.None);
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
        }
        else
        {
            _ = flush.AsTask();
        }
    }

    /// <summary>Bytes held for the application: delivered and unread, plus out-of-order payloads.</summary>
    private long BufferedBytesLocked() => _delivered - Volatile.Read(ref _consumed) + _reorder.Bytes;

    private uint AdvertisedWindowLocked() => (uint)Math.Max(0, _options.ReceiveBufferSize - BufferedBytesLocked());

    /// <summary>
    /// We owe an ACK. It goes out when the socket has drained (one ACK per burst, as libtorrent defers), at once for a
    /// duplicate or a FIN, or after <see cref="AckEveryPackets"/> packets so a never-draining socket still ACKs.
    /// </summary>
    private void ScheduleAckLocked(long now, bool immediate)
    {
        _ackPending = true;
        if (immediate || ++_packetsSinceAck >= AckEveryPackets)
        {
            SendStateLocked(now);
        }
        if ((_ackPending || _unflushed > 0) && !_ackQueued)
        {
            _ackQueued = true;
            _socket.DeferAck(this);
        }
    }

    /// <summary>The socket drained: hand the burst's data to the reader and send the ACK deferred during it.</summary>
    public void FlushDeferredAck()
    {
        lock (_lock)
        {
            _ackQueued = false;
            if (_unflushed > 0)
            {
                FlushPipeLocked();
            }
            if (_ackPending && _state == ConnectionState.Connected)
            {
                SendStateLocked(_socket.NowMicros());
            }
        }
    }

    /// <summary>The application read <paramref name="count"/> bytes: the window grows; tell a sender that was stopped by it.</summary>
    private void OnConsumed(int count)
    {
        Interlocked.Add(ref _consumed, count);
        var threshold = (uint)Math.Max(_options.ReceiveBufferSize / 8, 4 * _maxPayload);
        if (Volatile.Read(ref _lastAdvertisedWindow) >= threshold)
        {
            return;
        }
        lock (_lock)
        {
            if (_state == ConnectionState.Connected && _lastAdvertisedWindow < threshold && AdvertisedWindowLocked() >= _options.ReceiveBufferSize / 2)
            {
                SendStateLocked(_socket.NowMicros());
            }
        }
    }

    /// <summary>Reads delivered bytes; 0 at the end of the peer's stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            var result = await _pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var data = result.Buffer;
            if (data.IsEmpty)
            {
                _pipe.Reader.AdvanceTo(data.End);
                if (result.IsCompleted)
                {
                    return 0;
                }
                continue;
            }
            var count = (int)Math.Min(data.Length, buffer.Length);
            data.Slice(0, count).CopyTo(buffer.Span);
            _pipe.Reader.AdvanceTo(data.GetPosition(count));
            OnConsumed(count);
            return count;
        }
    }

    /// <summary>The stream is disposed: nothing reads the pipe any more.</summary>
    public void CompleteReader() => _pipe.Reader.Complete();
}
