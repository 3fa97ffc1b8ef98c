namespace Ouinet.Utp;

/// <summary>
/// Time-driven behaviour, run by the socket's timer every tick: connect timeout and SYN resends, retransmission
/// timeout with back-off, tail-loss probe, zero-window probe, deferred ACK, keep-alive, idle timeout, linger.
/// </summary>
internal sealed partial class UtpConnection
{
    private long _rtoDeadline;
    private int _timeouts;
    private long _timeoutCount;
    private long _probeBase;
    private bool _probeSent;
    private long _zeroWindowProbeAt;
    private long _synSentAt;
    private long _lastTimeoutAt;

    public void OnTick(long now)
    {
        lock (_lock)
        {
            if (IsRemoved)
            {
                return;
            }
            switch (_state)
            {
                case ConnectionState.New:
                    return;
                case ConnectionState.Closed:
                    if (now >= _lingerUntil)
                    {
                        _socket.OnLingerEnded();
                        RemoveFromSocket();
                    }
                    return;
                case ConnectionState.SynSent:
                    if (now >= _connectDeadline)
                    {
                        Log.Timeout(_socket.Logger, RecvId, "connect", _synTransmissions, 0);
                        FailLocked(UtpError.TimedOut, sendReset: false);
                    }
                    else if (now >= _synResendAt)
                    {
                        SendSynLocked(now);
                    }
                    return;
            }
            if (now - _lastReceived >= (long)_options.IdleTimeout.TotalMicroseconds)
            {
                Log.Timeout(_socket.Logger, RecvId, "idle", 0, 0);
                FailLocked(UtpError.TimedOut, sendReset: false);
                return;
            }
            if (_detached && _finAcked && now - _detachedAt >= (long)_options.CloseTimeout.TotalMicroseconds)
            {
                FailLocked(UtpError.Aborted, sendReset: true); // we are done and the peer never finished: free it
                return;
            }
            if (_outstanding > 0)
            {
                if (now >= _rtoDeadline)
                {
                    OnRetransmissionTimeoutLocked(now);
                    if (_state != ConnectionState.Connected)
                    {
                        return;
                    }
                }
                else if (!_probeSent && now - _probeBase >= ProbeTimeoutMicros())
                {
                    SendTailProbeLocked(now);
                }
            }
            else if (_zeroWindowProbeAt != 0 && now >= _zeroWindowProbeAt && _nextSend != _seqNr)
            {
                // The peer's window has been shut for an RTO and its update may have been lost: send one packet anyway.
                _zeroWindowProbeAt = 0;
                var packet = _out[_nextSend & _outMask]!;
                _nextSend = SeqNr.Add(_nextSend, 1);
                _bytesSent += packet.PayloadLength;
                TransmitLocked(packet, now);
                FlushBatchLocked();
            }
            if (_unflushed > 0)
            {
                FlushPipeLocked(); // fallback: a socket that never drains still hands data over within a tick
            }
            if (_ackPending)
            {
                SendStateLocked(now);
            }
            else if (now - _lastSent >= (long)_options.KeepAliveInterval.TotalMicroseconds)
            {
                SendStateLocked(now, keepAlive: true);
            }
        }
    }

    /// <summary>
    /// Nothing acknowledged for a whole RTO: the window drops to one packet (BEP 29), the timeout doubles, and every
    /// packet in flight is resent in order as the window grows again. Too many in a row: the peer is gone.
    /// </summary>
    private void OnRetransmissionTimeoutLocked(long now)
    {
        _timeoutCount++;
        var heardSince = _lastReceived >= _lastTimeoutAt;
        _lastTimeoutAt = now;
        // Persist: the peer answers but has no room (window shut). Keep probing; that is not a dead peer, nor congestion.
        var persisting = _peerWindow < _maxPayload && heardSince;
        Log.Timeout(_socket.Logger, RecvId, persisting ? "window probe" : "retransmission", _timeouts + 1, _rtt.TimeoutMicros / 1000);
        if (!persisting && ++_timeouts > _options.MaxRetransmissions)
        {
            FailLocked(UtpError.TimedOut, sendReset: false);
            return;
        }
        if (!persisting)
        {
            _congestion!.OnTimeout();
        }
        _rtt.BackOff();
        for (var seqNr = SeqNr.Add(_lastAcked, 1); seqNr != _nextSend; seqNr = SeqNr.Add(seqNr, 1))
        {
            if (_out[seqNr & _outMask] is { NeedResend: false } packet && packet.SeqNr == seqNr)
            {
                packet.NeedResend = true;
                _needResend++;
                if (packet.InFlight)
                {
                    packet.InFlight = false;
                    _bytesInFlight -= packet.PayloadLength;
                }
            }
        }
        _lossSeqNr = SeqNr.Add(_nextSend, -1);
        _rtoDeadline = now + _rtt.TimeoutMicros;
        _probeSent = true;
        PumpLocked(now);
    }

    /// <summary>
    /// Tail-loss probe: when the last packets of a flight are lost no later packet reveals it, and waiting for the
    /// 500 ms minimum RTO would stall the stream. After about two RTTs without progress, resend the newest
    /// unacknowledged packet; its ACK (with selective ACK) shows what is missing.
    /// </summary>
    private void SendTailProbeLocked(long now)
    {
        _probeSent = true;
        for (var seqNr = SeqNr.Add(_nextSend, -1); seqNr != _lastAcked; seqNr = SeqNr.Add(seqNr, -1))
        {
            if (_out[seqNr & _outMask] is { } packet && packet.SeqNr == seqNr)
            {
                TransmitLocked(packet, now);
                FlushBatchLocked();
                _retransmissions++;
                return;
            }
        }
    }

    private long ProbeTimeoutMicros()
    {
        var floor = 2 * (long)_options.TickInterval.TotalMicroseconds;
        var probe = _rtt.HasSample ? Math.Max(2 * _rtt.SmoothedMicros, floor) : _rtt.TimeoutMicros;
        return Math.Max(probe, 10_000);
    }
}
