using System.Buffers;
using Ouinet.Utp.Congestion;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp;

/// <summary>Control packets: ST_STATE (ACK, selective ACK, keep-alive, window update), ST_SYN, ST_RESET.</summary>
internal sealed partial class UtpConnection
{
    private void SendStateLocked(long now, bool keepAlive = false, bool answeringSyn = false)
    {
        // Answer a SYN that announced large datagrams with our own limit.
        var announce = answeringSyn && _peerAnnouncedLimit && _options.AnnouncesLargeDatagrams;
        var sackBytes = 0;
        if (_reorder.Count > 0)
        {
            var bits = SeqNr.Distance(_ackNr, _reorder.Highest) - 1;
            sackBytes = Math.Min((bits + 31) / 32 * 4, MaxSelectiveAckBytes); // BEP 29: a multiple of 4 bytes
        }
        var length = UtpHeader.Size + (sackBytes > 0 ? 2 + sackBytes : 0) + (announce ? 6 : 0);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var window = AdvertisedWindowLocked();
        // A keep-alive ACKs one less than it could (as libutp does): the peer must not count it as a duplicate ACK.
        var ackNr = keepAlive ? SeqNr.Add(_ackNr, -1) : _ackNr;
        var first = sackBytes > 0 ? UtpExtension.SelectiveAck : announce ? UtpExtension.DatagramLimit : UtpExtension.None;
        new UtpHeader(UtpPacketType.State, first, SendId, (uint)now, _replyMicro, window, _nextSend, ackNr).Write(buffer);
        var position = UtpHeader.Size;
        if (sackBytes > 0)
        {
            buffer[position] = announce ? UtpExtension.DatagramLimit : UtpExtension.None;
            buffer[position + 1] = (byte)sackBytes;
            _reorder.WriteSelectiveAck(_ackNr, buffer.AsSpan(position + 2, sackBytes));
            position += 2 + sackBytes;
        }
        if (announce)
        {
            WriteDatagramLimit(buffer.AsSpan(position));
        }
        _socket.SendControl(buffer, length, Remote);
        _ackPending = false;
        _packetsSinceAck = 0;
        Volatile.Write(ref _lastAdvertisedWindow, window);
        _lastSent = now;
        _packetsSent++;
    }

    private void SendSynLocked(long now)
    {
        var announce = _options.AnnouncesLargeDatagrams;
        var length = UtpHeader.Size + (announce ? 6 : 0);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        // The SYN carries the id we receive on; everything after it carries that id + 1 (BEP 29).
        new UtpHeader(UtpPacketType.Syn, announce ? UtpExtension.DatagramLimit : UtpExtension.None, RecvId, (uint)now, 0,
            AdvertisedWindowLocked(), _synSeqNr, 0).Write(buffer);
        if (announce)
        {
            WriteDatagramLimit(buffer.AsSpan(UtpHeader.Size));
        }
        _socket.SendControl(buffer, length, Remote);
        _synTransmissions++;
        _synSentAt = now;
        _synResendAt = now + (RttEstimator.InitialTimeoutMicros << Math.Min(_synTransmissions - 1, 6));
        _lastSent = now;
        _packetsSent++;
    }

    /// <summary>Our <see cref="UtpExtension.DatagramLimit"/>: what the multiplexer receives whole.</summary>
    private static void WriteDatagramLimit(Span<byte> destination)
    {
        destination[0] = UtpExtension.None;
        destination[1] = 4;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination[2..], UtpSocketOptions.MaxDatagramSize);
    }

    private void SendResetLocked(long now)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(UtpHeader.Size);
        new UtpHeader(UtpPacketType.Reset, UtpExtension.None, SendId, (uint)now, _replyMicro, 0, _nextSend, _ackNr).Write(buffer);
        _socket.SendControl(buffer, UtpHeader.Size, Remote);
        _packetsSent++;
    }
}
