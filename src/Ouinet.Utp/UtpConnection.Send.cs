using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>Outgoing data: packetizing writes, the window, ACK and selective-ACK processing, and loss detection.</summary>
internal sealed partial class UtpConnection
{
    /// <summary>A packet is lost once this many packets sent after it have been acknowledged (BEP 29's 3 duplicate ACKs).</summary>
    private const int ReorderThreshold = 3;

    /// <summary>Least time between two window cuts for loss (libtorrent's utp cwnd_reduce_timer).</summary>
    private const long LossCutIntervalMicros = 100_000;

    /// <summary>Free packets a connection keeps for reuse; the rest go back to the socket's pool.</summary>
    private const int MaxFreePackets = 256;

    /// <summary>Packets gathered before they go to the socket in one batch (one system call for a burst on Linux).</summary>
    private const int MaxBatch = 64;

    private readonly OutgoingPacket?[] _out;
    private readonly int _outMask;
    private readonly Stack<OutgoingPacket> _freePackets = new();
    private readonly OutgoingPacket[] _batch = new OutgoingPacket[MaxBatch];
    private readonly ReadOnlyMemory<byte>[] _batchBuffers = new ReadOnlyMemory<byte>[MaxBatch];
    private int _batchCount;
    private ushort _seqNr;
    private ushort _nextSend;
    private ushort _lastAcked;
    private ushort _lossSeqNr;
    private int _queuedBytes;
    private int _bytesInFlight;
    private int _outstanding;
    private int _needResend;
    private int _peerWindow;
    private uint _previousPeerWindow;
    private long _txCounter;
    private long _highestAckedTx;
    private int _dupAcks;
    private long _nextLossCut;
    private bool _push;
    private bool _finQueued;
    private bool _finAcked;
    private TaskCompletionSource? _writerWaiter;
    private long _bytesSent;
    private long _packetsSent;
    private long _retransmissions;
    private long _fastRetransmissions;

    /// <summary>Copies <paramref name="data"/> into packets, sending what the window allows; waits while the send buffer is full.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            Task wait;
            lock (_lock)
            {
                ThrowIfCannotWriteLocked();
                var written = AppendLocked(data.Span);
                data = data[written..];
                if (written > 0)
                {
                    PumpLocked(_socket.NowMicros());
                }
                if (data.IsEmpty)
                {
                    return;
                }
                _writerWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _writerWaiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a partly filled packet now instead of waiting for more data or for the ACKs of earlier ones.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_state != ConnectionState.Connected)
            {
                return;
            }
            _push = true;
            PumpLocked(_socket.NowMicros());
        }
    }

    /// <summary>No more writes: ST_FIN follows the data already written (half-close; the peer may go on sending).</summary>
    public void CompleteWrites()
    {
        lock (_lock)
        {
            if (_state == ConnectionState.Closed && _error is not null)
            {
                throw ErrorLocked();
            }
            if (_state == ConnectionState.Connected)
            {
                QueueFinLocked();
                PumpLocked(_socket.NowMicros());
            }
        }
    }

    private void ThrowIfCannotWriteLocked()
    {
        if (_state == ConnectionState.Closed && _error is not null)
        {
            throw ErrorLocked();
        }
        if (_finQueued || _state != ConnectionState.Connected)
        {
            throw new InvalidOperationException("Writes on this uTP stream were completed.");
        }
    }

    private void QueueFinLocked()
    {
        if (_finQueued)
        {
            return;
        }
        _finQueued = true;
        _push = true;
        var fin = RentPacketLocked();
        fin.Reset(UtpPacketType.Fin, _seqNr);
        _out[_seqNr & _outMask] = fin;
        _seqNr = SeqNr.Add(_seqNr, 1);
    }

    /// <summary>Packets written and not acknowledged (sent or not).</summary>
    private int LivePacketsLocked() => SeqNr.Distance(_lastAcked, _seqNr) - 1;

    private int AppendLocked(ReadOnlySpan<byte> data)
    {
        var written = 0;
        var maxPayload = _maxPayload;
        while (!data.IsEmpty && _queuedBytes < _options.SendBufferSize)
        {
            OutgoingPacket? packet = null;
            if (_seqNr != _nextSend && _out[SeqNr.Add(_seqNr, -1) & _outMask] is { Type: UtpPacketType.Data } last && last.PayloadLength < maxPayload)
            {
                packet = last; // Nagle: fill the unsent tail packet first
            }
            else if (LivePacketsLocked() < _out.Length - 2)
            {
                packet = RentPacketLocked();
                packet.Reset(UtpPacketType.Data, _seqNr);
                _out[_seqNr & _outMask] = packet;
                _seqNr = SeqNr.Add(_seqNr, 1);
            }
            else
            {
                break; // every slot is taken (one stays free for the FIN)
            }
            var count = Math.Min(data.Length, maxPayload - packet.PayloadLength);
            data[..count].CopyTo(packet.Buffer.AsSpan(UtpHeader.Size + packet.PayloadLength));
            packet.PayloadLength += count;
            _queuedBytes += count;
            written += count;
            data = data[count..];
        }
        return written;
    }

    /// <summary>Sends what the congestion window and the peer's window allow: lost packets first, then new ones.</summary>
    private void PumpLocked(long now)
    {
        PumpPacketsLocked(now);
        FlushBatchLocked();
    }

    private void PumpPacketsLocked(long now)
    {
        if (_state != ConnectionState.Connected)
        {
            return;
        }
        var window = Math.Min(_congestion!.Window, _peerWindow);
        if (_needResend > 0)
        {
            for (var seqNr = SeqNr.Add(_lastAcked, 1); seqNr != _nextSend && _needResend > 0; seqNr = SeqNr.Add(seqNr, 1))
            {
                if (_out[seqNr & _outMask] is not { NeedResend: true } lost)
                {
                    continue;
                }
                if (_bytesInFlight > 0 && _bytesInFlight + lost.PayloadLength > window)
                {
                    return;
                }
                TransmitLocked(lost, now);
                _retransmissions++;
            }
        }
        while (_nextSend != _seqNr)
        {
            var packet = _out[_nextSend & _outMask]!;
            var isOpenTail = SeqNr.Add(_nextSend, 1) == _seqNr && packet.Type == UtpPacketType.Data && packet.PayloadLength < _maxPayload;
            if (isOpenTail && !_push && !_options.NoDelay && _outstanding > 0)
            {
                break; // Nagle: a small tail waits for more data or for the ACKs of what is in flight
            }
            if (_bytesInFlight + packet.PayloadLength > window && (_bytesInFlight > 0 || _peerWindow == 0))
            {
                if (_bytesInFlight == 0 && _zeroWindowProbeAt == 0)
                {
                    _zeroWindowProbeAt = now + _rtt.TimeoutMicros; // the peer's window is shut: probe it later
                }
                break;
            }
            _nextSend = SeqNr.Add(_nextSend, 1);
            _bytesSent += packet.PayloadLength;
            TransmitLocked(packet, now);
        }
        if (_nextSend == _seqNr)
        {
            _push = false;
        }
    }

    private void TransmitLocked(OutgoingPacket packet, long now)
    {
        var window = AdvertisedWindowLocked();
        new UtpHeader(packet.Type, UtpExtension.None, SendId, (uint)now, _replyMicro, window, packet.SeqNr, _ackNr).Write(packet.Buffer);
        if (packet.Transmissions == 0)
        {
            _outstanding++;
        }
        packet.Transmissions++;
        packet.SentAtMicros = now;
        packet.TxOrder = ++_txCounter;
        if (packet.NeedResend)
        {
            packet.NeedResend = false;
            _needResend--;
        }
        if (!packet.InFlight)
        {
            packet.InFlight = true;
            _bytesInFlight += packet.PayloadLength;
        }
        if (_rtoDeadline == 0)
        {
            _rtoDeadline = now + _rtt.TimeoutMicros;
            _probeBase = now;
        }
        _batch[_batchCount++] = packet;
        if (_batchCount == MaxBatch)
        {
            FlushBatchLocked();
        }
        _packetsSent++;
        _lastSent = now;
        Volatile.Write(ref _lastAdvertisedWindow, window);
        if (_reorder.Count == 0)
        {
            _ackPending = false; // the DATA carries the ACK (a selective ACK still needs an ST_STATE)
            _packetsSinceAck = 0;
        }
    }

    /// <summary>
    /// Sends the packets <see cref="TransmitLocked"/> gathered, as one batch: a burst of equal-size packets is one
    /// system call and one pass through the kernel's stack on Linux (UDP segmentation offload). Every path that
    /// transmits flushes before it lets go of the lock.
    /// </summary>
    private void FlushBatchLocked()
    {
        if (_batchCount == 0)
        {
            return;
        }
        _socket.SendPackets(_batch, _batchBuffers, _batchCount, Remote);
        Array.Clear(_batch, 0, _batchCount);
        _batchCount = 0;
    }

    private void WakeWriterLocked()
    {
        if (_writerWaiter is { } waiter)
        {
            _writerWaiter = null;
            waiter.TrySetResult();
        }
    }

    private OutgoingPacket RentPacketLocked() =>
        _freePackets.Count > 0 ? _freePackets.Pop() : _socket.RentPacket(_packetSize);

    private void ReturnPacketLocked(OutgoingPacket packet)
    {
        if (Volatile.Read(ref packet.PendingSends) > 0)
        {
            return; // the kernel still reads it: leave it to the GC rather than reuse it
        }
        if (_freePackets.Count < Math.Max(16, MaxFreePackets * _options.MaxPacketSize / _packetSize))
        {
            _freePackets.Push(packet);
        }
        else
        {
            _socket.ReturnPacket(packet);
        }
    }

    /// <summary>Gives every buffer back: packets to the socket's pool, out-of-order payloads to the shared pool.</summary>
    private void ReleaseBuffersLocked()
    {
        for (var i = 0; i < _out.Length; i++)
        {
            if (_out[i] is { } packet)
            {
                _out[i] = null;
                if (Volatile.Read(ref packet.PendingSends) == 0)
                {
                    _socket.ReturnPacket(packet);
                }
            }
        }
        while (_freePackets.Count > 0)
        {
            _socket.ReturnPacket(_freePackets.Pop());
        }
        _reorder.Clear();
        _queuedBytes = 0;
        _bytesInFlight = 0;
        _outstanding = 0;
        _needResend = 0;
    }
}
