using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>Incoming ACKs: ack_nr and the selective ACK, RTT and delay samples for LEDBAT, and loss detection.</summary>
internal sealed partial class UtpConnection
{
    /// <summary>Applies ack_nr and the selective ACK; feeds RTT, LEDBAT and loss detection.</summary>
    private void OnAckLocked(in UtpPacket packet, long now)
    {
        var header = packet.Header;
        var inFlightBefore = _bytesInFlight;
        var acked = 0;
        var newestTx = 0L;
        var rttSample = long.MaxValue;
        var progress = false;
        var sameWindow = header.WindowSize == _previousPeerWindow;
        _previousPeerWindow = header.WindowSize;
        var wasClosed = _peerWindow < _maxPayload;
        _peerWindow = (int)Math.Min(header.WindowSize, int.MaxValue);
        if (_peerWindow > 0)
        {
            _zeroWindowProbeAt = 0;
        }
        if (SeqNr.Less(_lastAcked, header.AckNr))
        {
            for (var seqNr = SeqNr.Add(_lastAcked, 1); ; seqNr = SeqNr.Add(seqNr, 1))
            {
                if (_out[seqNr & _outMask] is { } p && p.SeqNr == seqNr)
                {
                    AckPacketLocked(p, now, ref acked, ref newestTx, ref rttSample);
                }
                if (seqNr == header.AckNr)
                {
                    break;
                }
            }
            _lastAcked = header.AckNr;
            _dupAcks = 0;
            progress = true;
        }
        else if (header.AckNr == _lastAcked && header.Type == UtpPacketType.State && _outstanding > 0 && packet.SelectiveAck.IsEmpty && sameWindow
            && ++_dupAcks == ReorderThreshold && _out[SeqNr.Add(_lastAcked, 1) & _outMask] is { NeedResend: false, Transmissions: > 0 } first
            && first.SeqNr == SeqNr.Add(_lastAcked, 1))
        {
            MarkLostLocked(first, now); // three duplicate ACKs from a peer that sends no selective ACK
            _fastRetransmissions++;
        }
        if (!packet.SelectiveAck.IsEmpty)
        {
            progress |= ApplySelectiveAckLocked(header.AckNr, packet.SelectiveAck, now, ref acked, ref newestTx, ref rttSample);
        }
        if (wasClosed && _peerWindow >= _maxPayload && _outstanding > 0)
        {
            ResendIntoReopenedWindowLocked();
        }
        if (progress)
        {
            if (rttSample != long.MaxValue)
            {
                _rtt.AddSample(rttSample);
            }
            _rtt.ResetBackOff();
            _timeouts = 0;
            _probeSent = false;
            _probeBase = now;
            _rtoDeadline = _outstanding > 0 ? now + _rtt.TimeoutMicros : 0;
        }
        var delay = QueuingDelayLocked(header.TimestampDifferenceMicroseconds, rttSample, now);
        if (acked > 0)
        {
            _congestion!.OnAck(new CongestionAck(acked, inFlightBefore, delay, inFlightBefore + _maxPayload > _congestion!.Window));
        }
        if (newestTx > _highestAckedTx)
        {
            _highestAckedTx = newestTx;
            DetectLossesLocked(now);
        }
        if (_writerWaiter is not null && (_options.SendBufferSize - _queuedBytes >= _options.SendBufferSize / 8 || _queuedBytes == 0)
            && LivePacketsLocked() < _out.Length - 2)
        {
            WakeWriterLocked();
        }
    }

    private bool ApplySelectiveAckLocked(ushort ackNr, ReadOnlySpan<byte> bitmask, long now, ref int acked, ref long newestTx, ref long rttSample)
    {
        var progress = false;
        var lastSent = SeqNr.Add(_nextSend, -1);
        for (var i = 0; i < bitmask.Length; i++)
        {
            if (bitmask[i] == 0)
            {
                continue;
            }
            for (var bit = 0; bit < 8; bit++)
            {
                if ((bitmask[i] & (1 << bit)) == 0)
                {
                    continue;
                }
                var seqNr = SeqNr.Add(ackNr, 2 + (i * 8) + bit);
                if (SeqNr.Less(lastSent, seqNr))
                {
                    return progress; // bits past what we sent mean nothing
                }
                if (SeqNr.Less(_lastAcked, seqNr) && _out[seqNr & _outMask] is { } p && p.SeqNr == seqNr)
                {
                    AckPacketLocked(p, now, ref acked, ref newestTx, ref rttSample);
                    progress = true;
                }
            }
        }
        return progress;
    }

    private void AckPacketLocked(OutgoingPacket packet, long now, ref int acked, ref long newestTx, ref long rttSample)
    {
        if (packet.InFlight)
        {
            _bytesInFlight -= packet.PayloadLength;
        }
        if (packet.NeedResend)
        {
            _needResend--;
        }
        if (packet.Transmissions > 0)
        {
            _outstanding--;
        }
        if (packet.Transmissions == 1)
        {
            rttSample = Math.Min(rttSample, now - packet.SentAtMicros);
        }
        acked += packet.PayloadLength;
        _queuedBytes -= packet.PayloadLength;
        newestTx = Math.Max(newestTx, packet.TxOrder);
        if (packet.Type == UtpPacketType.Fin)
        {
            _finAcked = true;
            _writesClosed.TrySetResult();
        }
        _out[packet.SeqNr & _outMask] = null;
        ReturnPacketLocked(packet);
    }

    /// <summary>
    /// The filtered queuing delay: the peer's timestamp difference minus its base, the least of the last three, and
    /// never more than this ACK's RTT (a one-way delay cannot exceed the round trip). -1 without a sample.
    /// </summary>
    private int QueuingDelayLocked(uint timestampDifference, long rttSample, long now)
    {
        // uTorrent once sent INT_MAX when it had no sample (libtorrent ignores it too).
        if (timestampDifference is 0 or int.MaxValue)
        {
            return -1;
        }
        _recentDelays[_recentDelayIndex] = _ourDelay.AddSample(timestampDifference, now);
        _recentDelayIndex = (_recentDelayIndex + 1) % _recentDelays.Length;
        long delay = Math.Min(_recentDelays[0], Math.Min(_recentDelays[1], _recentDelays[2]));
        if (rttSample != long.MaxValue)
        {
            delay = Math.Min(delay, rttSample);
        }
        return (int)Math.Min(delay, int.MaxValue);
    }

    /// <summary>
    /// RACK-style: a packet is lost when a packet transmitted at least <see cref="ReorderThreshold"/> transmissions
    /// after it has been acknowledged. This covers both BEP 29 rules (3 duplicate ACKs, 3 selective ACKs past a gap)
    /// and also catches a lost retransmission without waiting for the timeout.
    /// </summary>
    private void DetectLossesLocked(long now)
    {
        var threshold = _highestAckedTx - ReorderThreshold;
        if (threshold <= 0)
        {
            return;
        }
        for (var seqNr = SeqNr.Add(_lastAcked, 1); seqNr != _nextSend; seqNr = SeqNr.Add(seqNr, 1))
        {
            if (_out[seqNr & _outMask] is not { } packet)
            {
                continue;
            }
            if (packet.TxOrder > threshold)
            {
                if (packet.Transmissions == 1)
                {
                    break; // first transmissions go out in sequence order: nothing further on is old enough
                }
                continue;
            }
            if (!packet.NeedResend)
            {
                MarkLostLocked(packet, now);
                _fastRetransmissions++;
            }
        }
    }

    /// <summary>
    /// The peer's window was shut and has opened: what we sent into it (the probe) was dropped for lack of room, not
    /// by congestion. Resend it now instead of after a backed-off timeout, and leave the window as it is.
    /// </summary>
    private void ResendIntoReopenedWindowLocked()
    {
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
        _rtt.ResetBackOff();
        _timeouts = 0;
    }

    private void MarkLostLocked(OutgoingPacket packet, long now)
    {
        packet.NeedResend = true;
        _needResend++;
        if (packet.InFlight)
        {
            packet.InFlight = false;
            _bytesInFlight -= packet.PayloadLength;
        }
        // One window cut per window of data (libtorrent's loss_seq_nr: later losses from the same flight are the same
        // event), and at most one per 100 ms (libtorrent's cwnd_reduce_timer): on a sub-millisecond path, halving once
        // per RTT would halve a thousand times a second on random loss.
        if (SeqNr.Less(_lossSeqNr, packet.SeqNr) && now >= _nextLossCut)
        {
            _congestion!.OnLoss();
            _lossSeqNr = SeqNr.Add(_nextSend, -1);
            _nextLossCut = now + LossCutIntervalMicros;
        }
    }
}
